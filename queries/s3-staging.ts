// An S3 lake read through a local copy of just the partitions a query needs: the keys are listed
// once, the objects of a table's snapshot fetched when a query first reads that table at that
// snapshot. The copy is removed when the engine closes, and on any exit of the process (a signal
// included). The DuckDB engine reads the copy as it reads a local lake.
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURATED_ZONE, curatedPrefix } from '../lake/keys.ts';
import { LocalStore } from '../lake/local-store.ts';
import type { ObjectStore } from '../lake/store.ts';
import { TABLES, type TableName } from '../transforms/schema.ts';

export const ALL_TABLES = Object.keys(TABLES) as TableName[];

export class StagedLake {
  /** What is local: `table|dt`, or `table|*` for every snapshot of a table. */
  private readonly done = new Set<string>();
  bytesFetched = 0;

  private constructor(
    private readonly store: ObjectStore,
    private readonly keys: string[],
    /** The local folder the copy is in. */
    readonly root: string,
    /** Removes the copy and its exit and signal handlers. */
    readonly cleanup: () => void,
  ) {}

  static async open(store: ObjectStore): Promise<StagedLake> {
    const root = await mkdtemp(join(tmpdir(), 'credlake-stage-'));
    const remove = () => rmSync(root, { recursive: true, force: true });
    const onSignal = (signal: NodeJS.Signals) => {
      cleanup();
      process.kill(process.pid, signal);
    };
    const cleanup = () => {
      remove();
      process.off('exit', remove);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    process.on('exit', remove);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      return new StagedLake(store, await store.list(CURATED_ZONE), root, cleanup);
    } catch (error) {
      cleanup();
      throw error;
    }
  }

  /**
   * Fetches the objects of some tables at some snapshots (or at all) that are not local yet;
   * true when anything new arrived (views made before must then be made again).
   */
  async fetch(snapshots: readonly string[] | undefined, tables: readonly TableName[]): Promise<boolean> {
    const wanted = new Set<string>();
    for (const table of tables) {
      if (this.done.has(`${table}|*`)) continue;
      const dates = snapshots?.filter((d) => !this.done.has(`${table}|${d}`));
      if (dates && dates.length === 0) continue;
      for (const key of this.keys) {
        if (!key.startsWith(curatedPrefix(table))) continue;
        const dt = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
        if (dates ? !!dt && dates.includes(dt) : !dt || !this.done.has(`${table}|${dt}`)) wanted.add(key);
      }
      for (const d of dates ?? ['*']) this.done.add(`${table}|${d}`);
    }
    const local = new LocalStore(this.root);
    const list = [...wanted];
    for (let i = 0; i < list.length; i += 16) {
      await Promise.all(
        list.slice(i, i + 16).map(async (key) => {
          const body = await this.store.get(key);
          if (!body) return;
          this.bytesFetched += body.byteLength;
          await local.put(key, body);
        }),
      );
    }
    return list.length > 0;
  }

  /** The dt partitions a table holds in the S3 lake, from its listing. */
  partitionDates(table: TableName): string[] {
    const dates = this.keys
      .filter((k) => k.startsWith(curatedPrefix(table)))
      .map((k) => /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(k)?.[1])
      .filter((d): d is string => !!d);
    return [...new Set(dates)].sort();
  }

  /** An object just removed from the lake: no longer listed or copied. */
  async noteDeleted(key: string): Promise<void> {
    const at = this.keys.indexOf(key);
    if (at >= 0) this.keys.splice(at, 1);
    await new LocalStore(this.root).delete(key);
  }

  /** An object just written to the lake: listed and copied, so the next query sees it. */
  async noteWritten(key: string, body: Uint8Array): Promise<void> {
    if (!this.keys.includes(key)) this.keys.push(key);
    await new LocalStore(this.root).put(key, body);
  }
}
