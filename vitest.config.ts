import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup-env.ts'],
    globalSetup: ['test/global-setup.ts'],
    env: { TZ: 'Pacific/Chatham' },
    pool: 'forks',
    // Vitest's default is one worker per core less one: a single worker on this two-core machine,
    // idle while the CLI and the simulator it spawns do the work. Three keep both cores busy
    // (measured: the whole suite from 11.6 to 6.9 minutes, every test still passing).
    maxWorkers: 3,
    // A worker runs its files one after another in one process, loading the modules they share
    // once (the AWS SDK, DuckDB, aws-cdk-lib) rather than once per file: vitest's own count of
    // module loading went from 62 to 74 s to 19 s over the suite. test/setup-env.ts restores the
    // environment after each file; no test patches globals or mocks modules.
    isolate: false,
    reporters: ['default', './test/slowest-files.ts'],
    // s3rver, the S3 server of the tests, ciphers its list continuation tokens with DES, which
    // OpenSSL 3 keeps in its legacy provider: without it any listing past 1,000 keys fails.
    execArgv: ['--openssl-legacy-provider'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
