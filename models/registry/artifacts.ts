import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { PersistentRecommender } from '../core/types.js';
import type { Metrics } from '../../src/domain/model-doc.js';

export const MANIFEST = 'manifest.json';

/**
 * What an artifact directory holds. It is written last and atomically: a directory without one
 * is a half-written artifact and is never loaded.
 */
export interface Manifest {
  format: 1;
  version: string;
  kind: string;
  dataWindow: { from: string; to: string };
  seed: number;
  hyperparameters: Record<string, unknown>;
  /** Evaluation metrics per recommender (served rankers as `served:<ranker>`), once evaluated. */
  metrics?: Record<string, Metrics>;
  /** The model's own files (everything but the manifest), relative to the directory. */
  files: { path: string; bytes: number }[];
  createdAt: string;
}

export class ArtifactError extends Error {
  override name = 'ArtifactError';
}

export function artifactDir(modelsDir: string, version: string): string {
  return join(modelsDir, version);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function listFiles(dir: string, root = dir): Promise<{ path: string; bytes: number }[]> {
  const out: { path: string; bytes: number }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, root)));
    else if (entry.isFile() && !(dir === root && (entry.name === MANIFEST || entry.name.endsWith('.tmp')))) {
      out.push({ path: relative(root, full).split('\\').join('/'), bytes: (await stat(full)).size });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Writes the manifest through a temporary file and a rename, so readers see all of it or none. */
async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const tmp = join(dir, `${MANIFEST}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n');
  await rename(tmp, join(dir, MANIFEST));
}

/**
 * Saves `model` under `dir`: the model's files first (PersistentRecommender.save), then the
 * manifest listing them. Leftovers of an earlier half-written attempt are cleared first; a
 * complete artifact is never overwritten.
 */
export async function writeArtifact(
  dir: string,
  model: PersistentRecommender,
  meta: Omit<Manifest, 'format' | 'files' | 'createdAt'>,
): Promise<Manifest> {
  if (await exists(join(dir, MANIFEST))) {
    throw new ArtifactError(`artifact ${dir} already exists`);
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await model.save(dir);
  const manifest: Manifest = {
    format: 1,
    ...meta,
    files: await listFiles(dir),
    createdAt: new Date().toISOString(),
  };
  await writeManifest(dir, manifest);
  return manifest;
}

/**
 * The manifest of a complete artifact, checked against the files it lists (present, same size).
 * Throws an ArtifactError saying what is wrong otherwise.
 */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), 'utf8');
  } catch {
    throw new ArtifactError(`no complete artifact in ${dir} (manifest.json missing)`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (err) {
    throw new ArtifactError(`unreadable manifest in ${dir}: ${(err as Error).message}`);
  }
  for (const file of manifest.files ?? []) {
    const size = await stat(join(dir, file.path)).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) throw new ArtifactError(`artifact ${dir} is missing ${file.path}`);
    if (size !== file.bytes)
      throw new ArtifactError(`artifact ${dir}: ${file.path} has ${size} bytes, manifest says ${file.bytes}`);
  }
  return manifest;
}

/** Rewrites the manifest with `patch` merged in (atomically, as when it was first written). */
export async function updateManifest(
  dir: string,
  patch: Partial<Pick<Manifest, 'metrics'>>,
): Promise<Manifest> {
  const manifest = { ...(await readManifest(dir)), ...patch };
  await writeManifest(dir, manifest);
  return manifest;
}
