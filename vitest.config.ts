import { defineConfig } from 'vitest/config';
import LongestFirst from './test/sequencer.js';

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
    reporters: ['default', './test/slowest-files.ts'],
    // Longest files first, by the times kept in test/file-times.json: a fresh clone has no
    // timings of its own, and vitest's order by file size left the slow scale test to run alone
    // at the end.
    sequence: { sequencer: LongestFirst },
    // s3rver, the S3 server of the tests, ciphers its list continuation tokens with DES, which
    // OpenSSL 3 keeps in its legacy provider: without it any listing past 1,000 keys fails.
    execArgv: ['--openssl-legacy-provider'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
