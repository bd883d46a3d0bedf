import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch } from 'node:os';
import { PROCESS_CLOCK_START } from './fixed-clock.js';

/**
 * Where Debian's `faketime` package puts the library (multiarch), or FAKETIME_LIB. The thread-safe
 * build (`libfaketimeMT`) first: Node's worker threads (the store's replica, training's GEMM pool)
 * read the clock concurrently, which the plain build does without a lock.
 */
function libfaketime(): string {
  const dir = `/usr/lib/${arch() === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu'}/faketime`;
  const candidates = [process.env.FAKETIME_LIB, `${dir}/libfaketimeMT.so.1`, `${dir}/libfaketime.so.1`];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found)
    throw new Error(
      'process tests need libfaketime (Debian package `faketime`, which .ci/run installs; or set FAKETIME_LIB)',
    );
  return found;
}

/**
 * The machine's real time: relative offsets apply to it, and this process's own clock may be faked
 * already (`npm run test:dates` runs the suite under libfaketime), so it is read by a child without it.
 */
function realEpochSeconds(): number {
  const { LD_PRELOAD: _preload, FAKETIME: _faketime, ...env } = process.env;
  return Number(execFileSync('date', ['+%s'], { env, encoding: 'utf8' }).trim());
}

/**
 * The offset from the real clock to the test's, fixed once per test run: every process spawned in
 * the run (and every child they spawn, which inherits the setting) reads the same clock. An
 * absolute start (`@2026-11-22 00:05:00`) would restart the clock in each process, so a process
 * started later would see writes of an earlier one as coming from its future; it would also be
 * read in the local time zone.
 */
const offsetSeconds = Math.round(PROCESS_CLOCK_START.getTime() / 1000 - realEpochSeconds());
const FAKETIME = `${offsetSeconds >= 0 ? '+' : ''}${offsetSeconds}`;

/**
 * Spawns a process whose system clock reads about PROCESS_CLOCK_START when the test run begins and
 * then runs at the normal rate, through libfaketime preloaded into the process itself (not the
 * `faketime` wrapper, which would swallow the signals a test sends): `sibyl demo` simulates up to
 * the start of its "today", so a test sets today. Monotonic clocks are left alone, so timers and
 * timeouts behave normally.
 */
export function spawnAtTestEnd(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcessWithoutNullStreams {
  return spawn(command, args, {
    env: {
      ...env,
      LD_PRELOAD: libfaketime(),
      FAKETIME,
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
  });
}
