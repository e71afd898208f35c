import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Files run in vitest's default number of workers, one fewer than the cores (one on two cores);
    // npm run test:fast runs the unit and golden tiers in two (test/README.md).
    // Conformance suites spawn real validators (terraform, promtool, kubeconform) that take a minute on a loaded machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
