import { defineConfig } from 'vite';

/**
 * The dashboard's bundle: Preact and Chart.js, built into dist/dashboard and served by the API at
 * /dashboard. No CDN: everything the pages load comes from the API's origin.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/dashboard/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  logLevel: 'warn',
  build: {
    outDir: '../dist/dashboard',
    emptyOutDir: true,
    // Served with a strict CSP (no inline scripts or styles), so nothing is inlined into index.html.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 400,
  },
});
