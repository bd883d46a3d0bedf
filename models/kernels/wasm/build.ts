/**
 * `npm run build:wasm`: compiles gemm.wat (gemmABt for training, matvec for serving) into gemm-wasm.ts (base64), so that neither the build nor
 * the runtime needs a WebAssembly toolchain. test/models/gemm.test.ts fails if the two drift apart.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWat } from './compile-wat.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const binary = await compileWat(path.join(here, 'gemm.wat'));
await writeFile(
  path.join(here, 'gemm-wasm.ts'),
  `// Generated from gemm.wat by \`npm run build:wasm\`: do not edit.\n` +
    `export const GEMM_WASM_BASE64 =\n  '${Buffer.from(binary).toString('base64')}';\n`,
);
console.log(`gemm-wasm.ts: ${binary.length} bytes of WebAssembly`);
