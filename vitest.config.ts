import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two cores: golden suites are CPU-bound and the sandbox suites share one Docker engine.
    maxWorkers: 2,
  },
});
