import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { ProgressListener, SimulationCounts } from './progress.js';
import { CSV_HEADER } from './records.js';
import type { Simulation } from './simulate.js';

/**
 * `sibyl simulate --out DIR`: the catalogue and users as JSONL in the input shapes, interactions as
 * CSV sorted by time. Interactions stream day by day with backpressure, so memory stays at about
 * one day's worth whatever the size of the run.
 */

export const OUTPUT_FILES = {
  series: 'series.jsonl',
  events: 'events.jsonl',
  markets: 'markets.jsonl',
  users: 'users.jsonl',
  interactions: 'interactions.csv',
} as const;

export async function writeSimulationFiles(
  sim: Simulation,
  dir: string,
  onProgress?: ProgressListener,
): Promise<SimulationCounts> {
  await mkdir(dir, { recursive: true });
  const progress = (phase: 'catalogue' | 'users' | 'interactions', day: number, interactions: number) =>
    onProgress?.({ phase, day, days: sim.dayCount, interactions });
  progress('catalogue', 0, 0);
  const counts: SimulationCounts = {
    series: await writeJsonLines(join(dir, OUTPUT_FILES.series), sim.series()),
    events: await writeJsonLines(join(dir, OUTPUT_FILES.events), sim.events()),
    markets: await writeJsonLines(join(dir, OUTPUT_FILES.markets), sim.markets()),
    users: 0,
    interactions: 0,
  };
  progress('users', 0, 0);
  counts.users = await writeJsonLines(join(dir, OUTPUT_FILES.users), sim.users());
  const out = open(join(dir, OUTPUT_FILES.interactions));
  await write(out, CSV_HEADER);
  for (const day of sim.interactionDays()) {
    for (const chunk of day.csvChunks()) await write(out, chunk);
    counts.interactions += day.count;
    progress('interactions', day.day + 1, counts.interactions);
  }
  await close(out);
  return counts;
}

async function writeJsonLines(path: string, items: Iterable<object>): Promise<number> {
  const out = open(path);
  let count = 0;
  let chunk = '';
  for (const item of items) {
    chunk += JSON.stringify(item) + '\n';
    if (++count % 1000 === 0) {
      await write(out, chunk);
      chunk = '';
    }
  }
  await write(out, chunk);
  await close(out);
  return count;
}

const open = (path: string): WriteStream => createWriteStream(path, { highWaterMark: 1 << 20 });

/** Writes and, when the stream's buffer is full, waits for it to drain (`once` rejects if it fails instead). */
async function write(out: WriteStream, chunk: string): Promise<void> {
  if (out.errored) throw out.errored;
  if (chunk && !out.write(chunk)) await once(out, 'drain');
}

async function close(out: WriteStream): Promise<void> {
  out.end();
  await finished(out);
}
