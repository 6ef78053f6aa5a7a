// Every command that writes the lake holds its lock while it does, and on a local lake clears
// what an interrupted writer left half-done (its temporary files), saying what it found.
import { existsSync } from 'node:fs';
import { LocalStore } from '../lake/local-store.ts';
import { acquireLakeLock, LakeLockedError } from '../lake/lock.ts';
import type { ObjectStore } from '../lake/store.ts';
import { ReportedFailure } from './errors.ts';

export async function withLakeLock<T>(
  store: ObjectStore,
  command: string,
  work: () => Promise<T>,
): Promise<T> {
  // A command that fails leaves no folder behind that was not there before it.
  const newFolder = store instanceof LocalStore && !existsSync(store.root);
  let lock: Awaited<ReturnType<typeof acquireLakeLock>>;
  try {
    lock = await acquireLakeLock(store, command);
  } catch (error) {
    if (error instanceof LakeLockedError) throw new ReportedFailure(error.message, 1);
    throw error;
  }
  try {
    if (lock.tookOverFrom) {
      const held = lock.tookOverFrom;
      process.stderr.write(
        `note: took over the lake's lock from \`credlake ${held.command}\` (process ${held.pid} on ${held.host}, last seen ${held.refreshedAt}), which did not finish\n`,
      );
    }
    if (store instanceof LocalStore) {
      const removed = await store.removeUnfinishedWrites();
      if (removed.length)
        process.stderr.write(
          `note: removed ${removed.length} unfinished write(s) an interrupted run left in the lake (temporary files, never part of it)\n`,
        );
    }
    return await work();
  } finally {
    await lock.release();
    if (store instanceof LocalStore) await store.removeEmptyFolders(newFolder);
  }
}
