import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One scratch folder per run for everything tests write under os.tmpdir(), removed at the end.
    globalSetup: ['test/support/scratch-tmpdir.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/setup-matchers.ts'],
          // Unit files share one module graph per worker: half of the run was re-importing it per file.
          isolate: false,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['test/setup-matchers.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      { test: { name: 'package', include: ['test/package/**/*.test.ts'], testTimeout: 60_000 } },
    ],
  },
});
