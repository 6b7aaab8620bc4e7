import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A metric's own tests live in its folder (metrics/<name>/*.test.ts), with its code and card.
    include: ['test/**/*.test.ts', 'metrics/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two cores: golden suites are CPU-bound and the sandbox suites share one Docker engine.
    maxWorkers: 2,
  },
});
