import { defineConfig } from 'vitest/config';

// Slow tests (sandboxes, big models) are named *.slow.test.ts; `npm test` runs everything,
// `npm run test:fast` skips them. Files run in parallel across both cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
