import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';

/** Builds the dashboard as `npm run build:dashboard` does, into a fresh directory; returns it. */
export async function buildDashboard(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'sibyl-dashboard-'));
  await build({
    configFile: 'dashboard/vite.config.ts',
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}
