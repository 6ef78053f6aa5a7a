// A command that reads a lake fails early, and the same way everywhere (exit 2), when there is
// no lake where it was pointed: it never creates the folder it was asked to read.
import { existsSync } from 'node:fs';
import { LocalStore } from '../lake/local-store.ts';
import type { ObjectStore } from '../lake/store.ts';
import { UsageError } from './errors.ts';

export function requireLake(store: ObjectStore): void {
  if (store instanceof LocalStore && !existsSync(store.root))
    throw new UsageError(
      `no lake at ${store.root}: give --lake the folder (or s3:// prefix) a run wrote, or run credlake run --simulate first`,
    );
}
