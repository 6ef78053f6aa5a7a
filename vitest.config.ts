import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup-env.ts'],
    env: { TZ: 'Pacific/Chatham' },
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
