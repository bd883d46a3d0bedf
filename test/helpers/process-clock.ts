import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch } from 'node:os';
import { FAKETIME_AT_TEST_END } from './fixed-clock.js';

/** Where Debian's `faketime` package puts the library (multiarch), or FAKETIME_LIB. */
function libfaketime(): string {
  const triplet = arch() === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  const candidates = [process.env.FAKETIME_LIB, `/usr/lib/${triplet}/faketime/libfaketime.so.1`];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found)
    throw new Error(
      'process tests need libfaketime (Debian package `faketime`, which .ci/run installs; or set FAKETIME_LIB)',
    );
  return found;
}

/**
 * Spawns a process whose system clock starts at TEST_END and then runs at the normal rate, through
 * libfaketime preloaded into the process itself (not the `faketime` wrapper, which would swallow the
 * signals a test sends): `sibyl demo` simulates up to the start of its "today", so a test sets today.
 * Monotonic clocks are left alone, so timers and timeouts behave normally.
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
      FAKETIME: FAKETIME_AT_TEST_END,
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
  });
}
