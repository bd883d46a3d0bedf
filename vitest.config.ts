import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests share one Redis and the CPU is small: files run in parallel, tests within a file in order.
    pool: 'forks',
  },
});
