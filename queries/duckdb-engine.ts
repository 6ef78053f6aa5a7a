// The local engine: DuckDB over the lake's curated Parquet, with views named like the Glue
// tables, so the saved .sql files run unchanged. Session time zone pinned to UTC; partition
// keys pinned to VARCHAR (DuckDB would infer BIGINT for account ids without a leading zero).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { LocalStore } from '../lake/local-store.ts';
import type { ObjectStore } from '../lake/store.ts';
import { allColumns, COLUMN_TYPES, TABLES, type TableDef, type TableName } from '../transforms/schema.ts';
import { type PlainValue, toPlainRow } from './values.ts';

export interface QueryResult {
  readonly columns: string[];
  readonly rows: Record<string, PlainValue>[];
}

export class DuckDbEngine {
  private constructor(
    private readonly connection: DuckDBConnection,
    readonly lakeRoot: string,
  ) {}

  /** Opens the engine over a local lake folder. */
  static async open(lakeRoot: string): Promise<DuckDbEngine> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    const engine = new DuckDbEngine(connection, lakeRoot);
    await engine.refreshViews();
    return engine;
  }

  /** Opens the engine over any lake; an S3 lake's curated zone is staged in a temporary folder. */
  static async openStore(store: ObjectStore): Promise<DuckDbEngine> {
    if (store instanceof LocalStore) return DuckDbEngine.open(store.root);
    const staging = new LocalStore(await mkdtemp(join(tmpdir(), 'credlake-stage-')));
    for (const key of await store.list('curated/')) {
      const body = await store.get(key);
      if (body) await staging.put(key, body);
    }
    return DuckDbEngine.open(staging.root);
  }

  private scope: string | undefined | null = null;

  /**
   * (Re)creates one view per table over the lake's partitions: all of them, or only those of one
   * snapshot date. A query the catalog marks as reading one snapshot then lists one folder
   * instead of a year of them; its results are the same (a test checks it).
   */
  async refreshViews(snapshot?: string): Promise<void> {
    for (const table of Object.values(TABLES)) {
      await this.connection.run(
        `CREATE OR REPLACE VIEW ${table.name} AS ${await this.viewSql(table, snapshot)}`,
      );
    }
    this.scope = snapshot;
  }

  /** Scopes the views to one snapshot (or back to all), recreating them only when it changes. */
  async useSnapshot(snapshot: string | undefined): Promise<void> {
    if (this.scope !== snapshot) await this.refreshViews(snapshot);
  }

  private async viewSql(table: TableDef, snapshot?: string): Promise<string> {
    const depth = table.partitionKeys
      .map((k) => (k.name === 'dt' && snapshot ? `dt=${snapshot}` : '*'))
      .join('/');
    const glob = `${globLiteral(this.lakeRoot)}/curated/${table.name}/${depth}/*.parquet`.replaceAll(
      "'",
      "''",
    );
    const found = await this.connection.runAndReadAll(`SELECT count(*) AS n FROM glob('${glob}')`);
    if (Number(found.getRows()[0][0]) === 0) return emptyView(table);
    const hiveTypes = table.partitionKeys.map((k) => `'${k.name}': VARCHAR`).join(', ');
    return `SELECT * FROM read_parquet('${glob}', hive_partitioning = true, hive_types = {${hiveTypes}}, union_by_name = true)`;
  }

  /** The dt partitions a table holds, from the file listing alone (no view, no file read). */
  async partitionDates(table: TableName): Promise<string[]> {
    const depth = TABLES[table].partitionKeys.map(() => '*').join('/');
    const glob = `${globLiteral(this.lakeRoot)}/curated/${table}/${depth}/*.parquet`.replaceAll("'", "''");
    const { rows } = await this.run(
      `SELECT DISTINCT regexp_extract(file, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) AS dt FROM glob('${glob}') ORDER BY dt`,
    );
    return rows.map((r) => String(r.dt)).filter(Boolean);
  }

  /** Runs SQL over the views as they are scoped now (see useSnapshot). */
  async run(sql: string): Promise<QueryResult> {
    const reader = await this.connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowObjects().map(toPlainRow) };
  }

  /** DuckDB's own profile of a query: the Parquet files its scans read. */
  async filesRead(sql: string): Promise<number> {
    const plan = await this.connection.runAndReadAll(`EXPLAIN ANALYZE ${sql}`);
    const text = plan
      .getRows()
      .map((r) => r.map(String).join('\n'))
      .join('\n');
    return [...text.matchAll(/Total Files Read:\s*(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  }

  close(): void {
    this.connection.closeSync();
  }
}

/** A typed view with no rows, so queries run on a lake that lacks a table yet. */
function emptyView(table: TableDef): string {
  const columns = allColumns(table).map((c) => `CAST(NULL AS ${COLUMN_TYPES[c.type].duckdb}) AS ${c.name}`);
  return `SELECT ${columns.join(', ')} WHERE false`;
}

/** A path as a glob that matches only itself: DuckDB reads `[`, `*` and `?` as patterns. */
export function globLiteral(path: string): string {
  return path.replace(/[[*?]/g, (c) => `[${c}]`);
}
