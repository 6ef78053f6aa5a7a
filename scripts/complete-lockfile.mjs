#!/usr/bin/env node
// The npm registry this project is built against serves native binaries only for the platforms
// it mirrors, so `npm install` writes a lock file without the other platforms' optional
// packages, and `npm ci` then refuses it as out of sync. This adds those entries (version,
// os, cpu, libc), which `npm ci` skips on a platform they do not match, without fetching them.
// Run it after any `npm install` that changes the lock file:  node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const PLATFORM = /-(darwin|linux|win32|android|freebsd)-(x64|arm64|ia32|arm)(-(musl|gnu|msvc))?$/;
let added = 0;
for (const pkg of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const entry = `node_modules/${name}`;
    const m = PLATFORM.exec(name);
    if (lock.packages[entry] || !m) continue;
    lock.packages[entry] = {
      version,
      cpu: [m[2]],
      ...(m[1] === 'linux' ? { libc: [m[4] === 'musl' ? 'musl' : 'glibc'] } : {}),
      ...(pkg.dev ? { dev: true } : {}),
      optional: true,
      os: [m[1]],
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform entries to package-lock.json`);
