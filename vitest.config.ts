import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup-env.ts'],
    globalSetup: ['test/global-setup.ts'],
    env: { TZ: 'Pacific/Chatham' },
    pool: 'forks',
    // s3rver, the S3 server of the tests, ciphers its list continuation tokens with DES, which
    // OpenSSL 3 keeps in its legacy provider: without it any listing past 1,000 keys fails.
    execArgv: ['--openssl-legacy-provider'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
