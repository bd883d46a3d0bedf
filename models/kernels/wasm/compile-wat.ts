import { readFile } from 'node:fs/promises';
import wabtInit from 'wabt';

/** WebAssembly features the kernels use: SIMD for f32x4, threads for the shared memory. */
const FEATURES = { simd: true, threads: true };

/** Compiles a WAT file to a validated WebAssembly binary (build time and the drift test only). */
export async function compileWat(file: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat(file, await readFile(file, 'utf8'), FEATURES);
  try {
    // The typings omit validate's features argument; without it shared memories are refused.
    (mod as unknown as { validate(features: object): void }).validate(FEATURES);
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}
