// One writer at a time: a lock object in the lake itself, honoured the same way by a local
// folder and an S3 prefix. A lock whose holder stopped refreshing it (a killed run) goes stale
// and the next run takes it over, saying so.
import { hostname } from 'node:os';
import { getJson, type ObjectStore } from './store.ts';

export const LOCK_KEY = 'locks/lake.lock';
/** A holder refreshes its lock every minute; one not refreshed for five is taken to be dead. */
export const LOCK_REFRESH_MS = 60_000;
export const LOCK_STALE_MS = 5 * 60_000;

export interface LockRecord {
  readonly holder: string;
  readonly command: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly refreshedAt: string;
}

export class LakeLockedError extends Error {
  override readonly name = 'LakeLockedError';
}

export interface LakeLock {
  /** Set when the lock was taken over from a holder that had gone stale. */
  readonly tookOverFrom?: LockRecord;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a lock no longer protects anything, or undefined when it still does. */
function staleness(lock: LockRecord, now: number): string | undefined {
  const age = now - Date.parse(lock.refreshedAt);
  if (age > LOCK_STALE_MS) return `not refreshed for ${Math.round(age / 60_000)} min`;
  if (lock.host === hostname() && !alive(lock.pid)) return `process ${lock.pid} on this host has ended`;
  return undefined;
}

export async function acquireLakeLock(
  store: ObjectStore,
  command: string,
  now: () => number = Date.now,
): Promise<LakeLock> {
  const record = (): LockRecord => ({
    holder: `${hostname()}:${process.pid}:${command}`,
    command,
    host: hostname(),
    pid: process.pid,
    startedAt,
    refreshedAt: new Date(now()).toISOString(),
  });
  const startedAt = new Date(now()).toISOString();
  let tookOverFrom: LockRecord | undefined;
  if (!(await store.put(LOCK_KEY, JSON.stringify(record()), { ifAbsent: true }))) {
    const held = await getJson<LockRecord>(store, LOCK_KEY);
    const why = held ? staleness(held, now()) : 'the lock object was empty';
    if (held && !why) {
      throw new LakeLockedError(
        `the lake at ${store.location} is in use by \`credlake ${held.command}\` (process ${held.pid} on ${held.host}, started ${held.startedAt}): wait for it to finish; if that process is gone, the lock goes stale ${Math.round(LOCK_STALE_MS / 60_000)} minutes after its last refresh (${held.refreshedAt}), or delete ${LOCK_KEY} from the lake`,
      );
    }
    tookOverFrom = held;
    await store.put(LOCK_KEY, JSON.stringify(record()));
  }
  const timer = setInterval(() => {
    store.put(LOCK_KEY, JSON.stringify(record())).catch(() => undefined);
  }, LOCK_REFRESH_MS);
  timer.unref();
  return {
    tookOverFrom,
    async release() {
      clearInterval(timer);
      const held = await getJson<LockRecord>(store, LOCK_KEY).catch(() => undefined);
      if (held?.pid === process.pid && held.host === hostname()) await store.delete(LOCK_KEY);
    },
  };
}
