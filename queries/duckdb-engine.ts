// The local engine: DuckDB over the lake's curated Parquet, with views named like the Glue
// tables, so the saved .sql files run unchanged. Session time zone pinned to UTC; partition
// keys pinned to VARCHAR (DuckDB would infer BIGINT for account ids without a leading zero).
import type { DuckDBConnection } from '@duckdb/node-api';
import { curatedGlob, curatedPrefix } from '../lake/keys.ts';
import { LocalStore } from '../lake/local-store.ts';
import type { ObjectStore } from '../lake/store.ts';
import { allColumns, COLUMN_TYPES, TABLES, type TableDef, type TableName } from '../transforms/schema.ts';
import { ALL_TABLES, StagedLake } from './s3-staging.ts';
import { type PlainValue, toPlainRow } from './values.ts';

export interface QueryResult {
  readonly columns: string[];
  readonly rows: Record<string, PlainValue>[];
}

const ALL_DATES = '*';

export class DuckDbEngine {
  private constructor(
    private readonly connection: DuckDBConnection,
    readonly lakeRoot: string,
    /** The lake as the user named it (a folder, or the s3:// URL of a staged lake). */
    readonly lakeName: string,
    private readonly staging?: StagedLake,
  ) {}

  /** Opens the engine over a local lake folder. */
  static async open(lakeRoot: string): Promise<DuckDbEngine> {
    // No views yet: each query makes those of the tables it reads (binding a view over every
    // snapshot of every table read the footer of every file, and a large lake's year ran out of
    // memory before the first query).
    return new DuckDbEngine(await connect(), lakeRoot, lakeRoot);
  }

  /** Opens the engine over any lake; an S3 lake is read through a local copy of what queries need. */
  static async openStore(store: ObjectStore): Promise<DuckDbEngine> {
    if (store instanceof LocalStore) return DuckDbEngine.open(store.root);
    const staged = await StagedLake.open(store);
    try {
      return new DuckDbEngine(await connect(), staged.root, store.location, staged);
    } catch (error) {
      staged.cleanup();
      throw error;
    }
  }

  /** The snapshot dates the views read now; undefined when they read every snapshot. */
  get scopedDates(): readonly string[] | undefined {
    return this.scope ? this.scope.split(',') : undefined;
  }

  /** Bytes fetched from an S3 lake so far (0 for a local lake). */
  get bytesFetched(): number {
    return this.staging?.bytesFetched ?? 0;
  }

  /** The dates last asked for, comma-joined; undefined for all, null before the first refresh. */
  private scope: string | undefined | null = null;
  /** The dates each table's view reads now (ALL_DATES for every snapshot). */
  private readonly scopes = new Map<TableName, string>();

  /** Fetches what a staged S3 lake lacks locally; true when anything new arrived. */
  private async stage(
    snapshots: readonly string[] | undefined,
    tables: readonly TableName[] = ALL_TABLES,
  ): Promise<boolean> {
    return (await this.staging?.fetch(snapshots, tables)) ?? false;
  }

  /**
   * (Re)creates the views of some tables (default all) over the lake's partitions: all of them, or
   * only those of some snapshot dates. A query the catalog marks as reading one snapshot then
   * lists one folder instead of a year of them; its results are the same (a test checks it).
   * Only the tables a query reads get views over every snapshot: binding a view reads the footer
   * of every file it covers, and a year of a large organization is hundreds of thousands.
   */
  async refreshViews(
    snapshot?: string | readonly string[],
    tables?: readonly TableName[],
    materialize = false,
  ): Promise<void> {
    const dates = snapshot === undefined ? undefined : [...new Set([snapshot].flat())].sort();
    await this.stage(dates, tables);
    const scope = dates?.join(',') ?? ALL_DATES;
    for (const name of tables ?? ALL_TABLES) {
      if (this.materialized.delete(name)) await this.connection.run(`DROP TABLE ${name}`);
      const source = await this.viewSql(TABLES[name], dates);
      if (materialize) {
        await this.connection.run(`DROP VIEW IF EXISTS ${name}`);
        await this.connection.run(`CREATE TABLE ${name} AS ${source}`);
        this.materialized.add(name);
      } else await this.connection.run(`CREATE OR REPLACE VIEW ${name} AS ${source}`);
      this.scopes.set(name, scope);
    }
    this.scope = dates?.join(',');
  }

  /** Tables held in memory instead of views (see useSnapshot's `materialize`). */
  private readonly materialized = new Set<TableName>();

  /**
   * Scopes the views to one snapshot (or back to all), recreating them only when it changes.
   * `materialize` reads the snapshot's files once into memory tables of the same names, for work
   * that queries them many times (the rollup runs every check over the same day).
   */
  async useSnapshot(
    snapshot: string | undefined,
    tables?: readonly TableName[],
    { materialize = false } = {},
  ): Promise<void> {
    await this.useSnapshots(snapshot === undefined ? undefined : [snapshot], tables, materialize);
  }

  /**
   * Scopes the views of `tables` (default all: what the query about to run reads) to some
   * snapshot dates, or to all; a view is recreated only when its scope changes or a staged S3
   * lake fetched more of it.
   */
  async useSnapshots(
    dates: readonly string[] | undefined,
    tables?: readonly TableName[],
    materialize = false,
  ): Promise<void> {
    const scope = dates === undefined ? ALL_DATES : [...new Set(dates)].sort().join(',');
    const wanted = tables ?? ALL_TABLES;
    const fetched = await this.stage(dates, wanted);
    const stale = wanted.filter(
      (t) => fetched || this.scopes.get(t) !== scope || (materialize && !this.materialized.has(t)),
    );
    if (stale.length) await this.refreshViews(dates, stale, materialize);
    this.scope = dates === undefined ? undefined : scope;
  }

  private async viewSql(table: TableDef, dates?: readonly string[]): Promise<string> {
    const globs: string[] = [];
    for (const dt of dates ?? [undefined]) {
      const glob = curatedGlob(
        globLiteral(this.lakeRoot),
        table.name,
        table.partitionKeys.length,
        dt,
      ).replaceAll("'", "''");
      const found = await this.connection.runAndReadAll(`SELECT count(*) AS n FROM glob('${glob}')`);
      if (Number(found.getRows()[0][0]) > 0) globs.push(`'${glob}'`);
    }
    if (globs.length === 0) return emptyView(table);
    const hiveTypes = table.partitionKeys.map((k) => `'${k.name}': VARCHAR`).join(', ');
    return `SELECT * FROM read_parquet([${globs.join(', ')}], hive_partitioning = true, hive_types = {${hiveTypes}}, union_by_name = true)`;
  }

  /** The dt partitions a table holds, from the file listing alone (no view, no file read). */
  async partitionDates(table: TableName): Promise<string[]> {
    if (this.staging) return this.staging.partitionDates(table);
    const depth = TABLES[table].partitionKeys.length;
    const glob = curatedGlob(globLiteral(this.lakeRoot), table, depth).replaceAll("'", "''");
    // Straight to DuckDB: a plain run() would first make views over every snapshot, which binds
    // (reads the footer of) every file of the lake.
    const reader = await this.connection.runAndReadAll(
      `SELECT DISTINCT regexp_extract(file, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) AS dt FROM glob('${glob}') ORDER BY dt`,
    );
    return reader
      .getRowObjects()
      .map((r) => String(r.dt))
      .filter(Boolean);
  }

  /**
   * Tells the engine about an object just written to the lake: a staged S3 lake keeps its own
   * listing and copy, which would otherwise miss it. Views are refreshed by the caller.
   */
  async noteWritten(key: string, body: Uint8Array): Promise<void> {
    const table = ALL_TABLES.find((t) => key.startsWith(curatedPrefix(t)));
    // The table's view no longer covers what is in the lake: the next query remakes it.
    if (table) this.scopes.delete(table);
    await this.staging?.noteWritten(key, body);
  }

  /** Tells the engine about an object just removed from the lake (see noteWritten). */
  async noteDeleted(key: string): Promise<void> {
    const table = ALL_TABLES.find((t) => key.startsWith(curatedPrefix(t)));
    if (table) this.scopes.delete(table);
    await this.staging?.noteDeleted(key);
  }

  /**
   * Runs SQL over every partition of one small table, named `t` in the SQL, leaving the views as
   * they are; a staged S3 lake fetches that table's files only.
   */
  async runOnTable(table: TableName, sql: string): Promise<QueryResult> {
    await this.stage(undefined, [table]);
    const view = await this.viewSql(TABLES[table]);
    const reader = await this.connection.runAndReadAll(`WITH t AS (${view}) ${sql}`);
    return { columns: reader.columnNames(), rows: reader.getRowObjects().map(toPlainRow) };
  }

  /** Runs SQL over the views as they are scoped now (see useSnapshot). */
  async run(sql: string): Promise<QueryResult> {
    // A staged lake has no views until a query asks for a snapshot; plain SQL sees every one.
    // Only the tables this SQL reads get views (over every snapshot, unless a saved query scoped
    // them first): a view over a table nobody reads would bind every file of it for nothing.
    const needed = tablesIn(sql).filter((t) => !this.scopes.has(t));
    if (needed.length)
      await this.refreshViews(this.scope === null ? undefined : this.scope?.split(','), needed);
    const reader = await this.connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowObjects().map(toPlainRow) };
  }

  /**
   * The distinct files DuckDB read bytes of while running the query, from its own file system
   * log. (The profile's "Total Files Read" counts a table scanned twice twice, and is missing
   * from some plans, such as scans inside a materialized CTE.)
   */
  async filesRead(sql: string): Promise<number> {
    await this.run(sql); // makes the views it needs, so the log holds only the query's reads
    await this.connection.run("CALL enable_logging('FileSystem')");
    try {
      await this.connection.run('CALL truncate_duckdb_logs()');
      await this.connection.run(sql);
      const reader = await this.connection.runAndReadAll(
        `SELECT count(DISTINCT json_extract_string(message, '$.path')) AS n FROM duckdb_logs
         WHERE type = 'FileSystem' AND json_extract_string(message, '$.op') = 'READ'`,
      );
      return Number(reader.getRows()[0][0]);
    } finally {
      await this.connection.run('CALL disable_logging()');
      await this.connection.run('CALL truncate_duckdb_logs()');
    }
  }

  close(): void {
    this.connection.closeSync();
    this.staging?.cleanup();
  }
}

async function connect(): Promise<DuckDBConnection> {
  // Loaded when an engine opens: a command that queries nothing does not pay for loading it.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  return connection;
}

/** A typed view with no rows, so queries run on a lake that lacks a table yet. */
function emptyView(table: TableDef): string {
  const columns = allColumns(table).map((c) => `CAST(NULL AS ${COLUMN_TYPES[c.type].duckdb}) AS ${c.name}`);
  return `SELECT ${columns.join(', ')} WHERE false`;
}

/** The tables a query reads (a FROM or JOIN names them), so only their views are made. */
export function tablesIn(sql: string): TableName[] {
  return ALL_TABLES.filter((t) => new RegExp(`\\b(FROM|JOIN)\\s+${t}\\b`, 'i').test(sql));
}

/** A path as a glob that matches only itself: DuckDB reads `[`, `*` and `?` as patterns. */
export function globLiteral(path: string): string {
  return path.replace(/[[*?]/g, (c) => `[${c}]`);
}
