import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `store.json` in a data directory says which `sibyl store` serves it (pid, and its connection
 * string once it listens): other processes started with `--embedded` connect there, and a second
 * server refuses the directory instead of writing the same journal. Claimed atomically (exclusive
 * create); a claim left by a dead process is taken over.
 */

const FILE = 'store.json';

export interface RunningStore {
  pid: number;
  /** Empty while that server is still recovering. */
  uri: string;
}

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/** The live server that claimed `dir`, if any (this process's own included). */
export function runningStore(dir: string): RunningStore | undefined {
  try {
    const found = JSON.parse(readFileSync(join(dir, FILE), 'utf8')) as RunningStore;
    return isAlive(found.pid) ? found : undefined;
  } catch {
    return undefined;
  }
}

/** Claims `dir` for this process, or throws DataDirInUseError naming the live holder. */
export async function claimDataDir(dir: string): Promise<void> {
  const path = join(dir, FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, uri: '' }));
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = runningStore(dir);
      if (holder)
        throw new DataDirInUseError(
          `${dir} is served by sibyl store (pid ${holder.pid}${holder.uri ? `, ${holder.uri}` : ', starting'}): ` +
            `connect to it (MONGODB_URI=${holder.uri || '…'}) or stop it first`,
        );
      await rm(path, { force: true });
    }
  }
  throw new DataDirInUseError(`could not claim ${dir}`);
}

export async function announce(dir: string, uri: string): Promise<void> {
  await writeFile(join(dir, `${FILE}.tmp`), JSON.stringify({ pid: process.pid, uri }));
  await rename(join(dir, `${FILE}.tmp`), join(dir, FILE));
}

export async function release(dir: string): Promise<void> {
  await rm(join(dir, FILE), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
