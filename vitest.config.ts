import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // PGlite instances are heavy (~250 MB each); two workers fit a 2-core machine.
    maxWorkers: 2,
    // Tests run in a random order within each file: none may lean on another test's state.
    // A failing order is printed as the seed; rerun it with `--sequence.seed=<seed>`.
    sequence: { shuffle: { files: false, tests: true } },
  },
});
