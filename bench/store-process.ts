import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MongoStore } from '../src/store/mongo-store.js';

const BIN = join(import.meta.dirname, '../bin/sibyl.js');

export interface StoreProcess {
  store: MongoStore;
  /** Its MONGODB_URI, for other processes. */
  uri: string;
  child: ChildProcess;
  /** The store process's peak resident memory so far (VmHWM). */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** `sibyl store` as its own process on a fresh data directory, as the demo runs it. */
export async function startStoreProcess(): Promise<StoreProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'sibyl-bench-store-'));
  const child = spawn(process.execPath, [BIN, 'store', '--data-dir', dir, '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const uri = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      const match = /MONGODB_URI=(\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`sibyl store exited with ${code}`)));
  });
  const store = await MongoStore.connect(uri, 'sibyl', { label: `sibyl store (pid ${child.pid})` });
  return {
    store,
    uri,
    child,
    peakRssMb: () => {
      const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      return Number(kb ?? 0) / 1024;
    },
    stop: async () => {
      await store.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
