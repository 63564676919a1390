import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,server,client,server/phoenix}/test/**/*.test.ts'],
    globalSetup: [
      'server/test/support/phoenix-build-global-setup.ts',
      'server/test/support/postgres-global-setup.ts',
      'server/test/support/redis-global-setup.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
