#!/usr/bin/env node
// Runs the TypeScript sources through tsx when it is installed (any `npm ci` checkout: no build step),
// and the compiled dist/ otherwise (the production image installs without dev dependencies).
let entry;
try {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../src/cli/main.ts', import.meta.url);
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  entry = new URL('../dist/src/cli/main.js', import.meta.url);
}
const { main } = await import(entry.href);
await main(process.argv);
