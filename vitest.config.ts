import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Conformance suites spawn real validators; two cores, so keep files in parallel but bounded.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
