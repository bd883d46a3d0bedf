import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/sibyl.js');

/**
 * Runs `sibyl demo` with a TMPDIR of its own (its throwaway directories go there), does `stop` once
 * its store is up, and returns what the demo left in that TMPDIR after it exited.
 */
async function leftBehind(stop: (demo: ReturnType<typeof spawn>, output: string[]) => Promise<void>) {
  const tmp = await mkdtemp(join(tmpdir(), 'sibyl-demo-cleanup-'));
  const { MONGODB_URI: _a, REDIS_URL: _b, ...env } = process.env;
  const demo = spawn(process.execPath, [BIN, 'demo', '--users', '50', '--days', '1', '--traffic', '0'], {
    env: { ...env, TMPDIR: tmp, REDIS_URL: 'redis://127.0.0.1:1', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so that nothing it started can outlive the test
  });
  const output: string[] = [];
  demo.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => demo.once('exit', () => resolve()));
  try {
    await until(() => /store\s*\| started/.test(output.join('')), demo);
    const made = (await readdir(tmp)).filter((name) => name.startsWith('sibyl-demo-'));
    expect(made.sort()).toEqual([
      expect.stringMatching(/^sibyl-demo-data-/),
      expect.stringMatching(/^sibyl-demo-models-/),
    ]);
    await stop(demo, output);
    await exited;
    return (await readdir(tmp)).filter((name) => name.startsWith('sibyl-demo-'));
  } finally {
    try {
      process.kill(-demo.pid!, 'SIGKILL');
    } catch {
      // already gone, children included
    }
    await rm(tmp, { recursive: true, force: true });
  }
}

async function until(condition: () => boolean, demo: ReturnType<typeof spawn>): Promise<void> {
  while (!condition()) {
    if (demo.exitCode !== null) throw new Error('the demo exited first');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('sibyl demo', () => {
  it('removes its throwaway data and models directories when its terminal goes away (SIGHUP)', async () => {
    expect(await leftBehind(async (demo) => void demo.kill('SIGHUP'))).toEqual([]);
  });

  it('removes them too when a second Ctrl-C cuts its clean stop short', async () => {
    const left = await leftBehind(async (demo, output) => {
      demo.kill('SIGINT');
      await until(() => /demo\s*\| stopping/.test(output.join('')), demo);
      demo.kill('SIGINT');
    });
    expect(left).toEqual([]);
  });
});
