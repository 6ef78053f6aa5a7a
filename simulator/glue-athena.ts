// Simulated Glue catalog and Athena, for proving the deployed path on one machine. The catalog
// lives in memory so tests can ask what was registered; Athena runs each query for real in
// DuckDB over the lake in the pipeline's bucket, and writes its CSV result the way Athena does.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { LocalStore } from '../lake/local-store.ts';
import { S3Store } from '../lake/s3-store.ts';
import { getText, type ObjectStore } from '../lake/store.ts';
import { CATALOG } from '../queries/catalog.ts';
import { DuckDbEngine } from '../queries/duckdb-engine.ts';
import { loadQuerySql } from '../queries/saved-query.ts';
import type { PlainValue } from '../queries/values.ts';
import { athenaDeniedReason, type Permission } from './access.ts';
import type { Identity } from './services.ts';
import { ServiceError } from './wire.ts';

type Json = Record<string, unknown>;

export interface PartitionRecord {
  values: string[];
  location: string;
  createdAt: number;
}

/** Glue: databases, tables and partitions, in memory. */
export class GlueCatalog {
  readonly databases = new Set<string>();
  readonly tables = new Map<string, Json>();
  readonly partitions = new Map<string, PartitionRecord[]>();
  /** Every BatchCreatePartition entry received, duplicates included. */
  readonly createRequests: { table: string; values: string[] }[] = [];

  handle(action: string, body: Json): unknown {
    const db = String(body.DatabaseName ?? (body.DatabaseInput as Json | undefined)?.Name ?? '');
    const needDb = () => {
      if (!this.databases.has(db))
        throw new ServiceError(400, 'EntityNotFoundException', `Database ${db} not found.`);
    };
    const tableKey = (name: unknown) => `${db}.${String(name)}`;
    const needTable = (name: unknown) => {
      needDb();
      if (!this.tables.has(tableKey(name)))
        throw new ServiceError(400, 'EntityNotFoundException', `Table ${String(name)} not found.`);
    };
    switch (action) {
      case 'CreateDatabase':
        if (this.databases.has(db))
          throw new ServiceError(400, 'AlreadyExistsException', `Database ${db} already exists.`);
        this.databases.add(db);
        return {};
      case 'CreateTable': {
        needDb();
        const input = body.TableInput as Json;
        if (this.tables.has(tableKey(input.Name)))
          throw new ServiceError(
            400,
            'AlreadyExistsException',
            `Table ${String(input.Name)} already exists.`,
          );
        this.tables.set(tableKey(input.Name), input);
        return {};
      }
      case 'GetTable':
        needTable(body.Name);
        return { Table: { ...this.tables.get(tableKey(body.Name)), DatabaseName: db } };
      case 'BatchCreatePartition': {
        needTable(body.TableName);
        const list = this.partitions.get(tableKey(body.TableName)) ?? [];
        const errors: Json[] = [];
        for (const p of body.PartitionInputList as Json[]) {
          const values = p.Values as string[];
          this.createRequests.push({ table: String(body.TableName), values });
          if (list.some((x) => x.values.join('/') === values.join('/'))) {
            errors.push({
              PartitionValues: values,
              ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'Partition already exists.' },
            });
            continue;
          }
          list.push({
            values,
            location: String((p.StorageDescriptor as Json).Location),
            createdAt: Date.now(),
          });
        }
        this.partitions.set(tableKey(body.TableName), list);
        return { Errors: errors };
      }
      case 'GetPartitions': {
        needTable(body.TableName);
        const all = this.partitions.get(tableKey(body.TableName)) ?? [];
        const start = Number(body.NextToken ?? 0);
        const page = all.slice(start, start + 100);
        return {
          Partitions: page.map((p) => ({
            Values: p.values,
            DatabaseName: db,
            TableName: body.TableName,
            StorageDescriptor: { Location: p.location },
          })),
          NextToken: start + 100 < all.length ? String(start + 100) : undefined,
        };
      }
      default:
        throw new ServiceError(
          400,
          'UnknownOperationException',
          `The simulator does not implement Glue ${action}`,
        );
    }
  }
}

interface Execution {
  id: string;
  /** Who started it, where: the query reads and writes with that principal's permissions. */
  principal?: { identity: Identity; region: string };
  sql: string;
  workgroup: string;
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason?: string;
  outputKey: string;
  /** An UNLOAD: its SELECT, its properties and where it writes (its outputKey is the manifest). */
  unload?: { select: string; properties: Map<string, string>; url: string; prefix: string };
  columns: { Name: string; Type: string }[];
  scanned: number;
  submittedAt: number;
  doneAt?: number;
}

export interface AthenaOptions {
  /** The pipeline's bucket (served by the S3-compatible server), holding lake and results. */
  readonly store: ObjectStore;
  readonly bucket: string;
  readonly workgroup: string;
  readonly database: string;
  /** How long a query waits in QUEUED (ms). */
  readonly queueMs?: number;
}

/** Rows per file an UNLOAD writes at most (Athena writes several files in parallel). */
const UNLOAD_ROWS_PER_FILE = 2048;

/** `UNLOAD (SELECT ...) TO 's3://bucket/prefix/' WITH (format = 'PARQUET', ...)`. */
const UNLOAD = /^\s*UNLOAD\s*\(([\s\S]+)\)\s*TO\s*'(s3:\/\/[^']+)'\s*WITH\s*\(([^)]*)\)\s*;?\s*$/i;

/** An UNLOAD statement's parts, or undefined for any other statement. */
export function parseUnload(
  sql: string,
): { select: string; url: string; properties: Map<string, string> } | undefined {
  const m = UNLOAD.exec(sql);
  if (!m) return undefined;
  const properties = new Map<string, string>();
  for (const part of m[3].split(',')) {
    const p = /^\s*([a-z_]+)\s*=\s*'([^']*)'\s*$/i.exec(part);
    if (p) properties.set(p[1].toLowerCase(), p[2]);
  }
  return { select: m[1], url: m[2], properties };
}

const ATHENA_TYPE: Record<string, string> = {
  VARCHAR: 'varchar',
  INTEGER: 'integer',
  BIGINT: 'bigint',
  BOOLEAN: 'boolean',
  DOUBLE: 'double',
};

/** Athena: named queries from the catalog, executions run in DuckDB, results as Athena's CSV. */
export class SimulatedAthena {
  readonly executions = new Map<string, Execution>();
  /** Result rows handed out by GetQueryResults (headers not counted): what callers read back. */
  rowsServed = 0;
  readonly namedQueries = new Map(
    CATALOG.map((q) => [`nq-${q.name}`, { name: q.name, sql: loadQuerySql(q.name) }]),
  );

  /** Queries run one at a time, as a small workgroup would: each stages the lake it reads. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly options: AthenaOptions,
    /** Decides the S3 and Glue reads and the writes a query makes as its caller. */
    private readonly authorize?: (
      principal: Identity,
      region: string,
      sql: string,
      outputKey: string,
      unloadPrefix?: string,
    ) => Promise<Permission | undefined>,
  ) {}

  handle(action: string, body: Json, principal?: Identity, region = 'us-east-1'): unknown | Promise<unknown> {
    switch (action) {
      case 'StartQueryExecution':
        return {
          QueryExecutionId: this.start(
            String(body.QueryString ?? ''),
            String(body.WorkGroup ?? 'primary'),
            principal && { identity: principal, region },
          ),
        };
      case 'GetQueryExecution':
        return { QueryExecution: this.describe(this.find(body.QueryExecutionId)) };
      case 'GetQueryResults':
        return this.results(this.find(body.QueryExecutionId), body);
      case 'StopQueryExecution': {
        const e = this.find(body.QueryExecutionId);
        if (e.state === 'QUEUED' || e.state === 'RUNNING')
          Object.assign(e, { state: 'CANCELLED', reason: 'Query was cancelled by user', doneAt: Date.now() });
        return {};
      }
      case 'ListNamedQueries':
        return { NamedQueryIds: [...this.namedQueries.keys()] };
      case 'GetNamedQuery': {
        const q = this.namedQueries.get(String(body.NamedQueryId));
        if (!q)
          throw new ServiceError(
            400,
            'InvalidRequestException',
            `NamedQuery ${String(body.NamedQueryId)} was not found`,
          );
        return {
          NamedQuery: {
            Name: q.name,
            Database: this.options.database,
            QueryString: q.sql,
            NamedQueryId: body.NamedQueryId,
            WorkGroup: this.options.workgroup,
          },
        };
      }
      default:
        throw new ServiceError(
          400,
          'InvalidRequestException',
          `The simulator does not implement Athena ${action}`,
        );
    }
  }

  private find(id: unknown): Execution {
    const e = this.executions.get(String(id));
    if (!e)
      throw new ServiceError(400, 'InvalidRequestException', `QueryExecution ${String(id)} was not found`);
    return e;
  }

  private start(sql: string, workgroup: string, principal?: Execution['principal']): string {
    if (workgroup !== this.options.workgroup)
      throw new ServiceError(400, 'InvalidRequestException', `WorkGroup ${workgroup} is not found.`);
    const id = randomUUID();
    const unload = parseUnload(sql);
    const execution: Execution = {
      id,
      principal,
      sql,
      workgroup,
      state: 'QUEUED',
      // An UNLOAD's result is its manifest; any other query's is its rows as CSV.
      outputKey: unload ? `athena-results/${id}-manifest.csv` : `athena-results/${id}.csv`,
      unload: unload && { ...unload, prefix: unload.url.replace(/^s3:\/\/[^/]+\//, '') },
      columns: [],
      scanned: 0,
      submittedAt: Date.now(),
    };
    this.executions.set(id, execution);
    setTimeout(() => {
      if (execution.state !== 'QUEUED') return;
      execution.state = 'RUNNING';
      const turn = this.queue.then(() => this.run(execution));
      this.queue = turn.catch(() => undefined);
      turn.catch((error) =>
        Object.assign(execution, { state: 'FAILED', reason: String(error), doneAt: Date.now() }),
      );
    }, this.options.queueMs ?? 30);
    return id;
  }

  /**
   * A local copy of the bucket's curated zone, brought up to date before each query by ETag:
   * only objects written since the last query are fetched (Athena reads S3 in place).
   */
  private mirror?: { root: string; etags: Map<string, string> };
  /** The engine over the mirror, kept while no object of it changes. */
  private engine?: DuckDbEngine;

  private async openLake(): Promise<{ engine: DuckDbEngine; shared: boolean }> {
    const store = this.options.store;
    if (!(store instanceof S3Store)) return { engine: await DuckDbEngine.openStore(store), shared: false };
    this.mirror ??= { root: await mkdtemp(join(tmpdir(), 'credlake-athena-')), etags: new Map() };
    const { root, etags } = this.mirror;
    const local = new LocalStore(root);
    const objects = await store.listObjects('curated/');
    const current = new Set(objects.map((o) => o.key));
    const gone = [...etags.keys()].filter((k) => !current.has(k));
    const changed = objects.filter((o) => etags.get(o.key) !== o.etag);
    if (this.engine && gone.length === 0 && changed.length === 0)
      return { engine: this.engine, shared: true };
    this.engine?.close();
    this.engine = undefined;
    for (const key of gone) {
      await local.delete(key);
      etags.delete(key);
    }
    for (let i = 0; i < changed.length; i += 16) {
      await Promise.all(
        changed.slice(i, i + 16).map(async (o) => {
          const body = await store.get(o.key);
          if (body) await local.put(o.key, body);
          etags.set(o.key, o.etag);
        }),
      );
    }
    this.engine = await DuckDbEngine.open(root);
    return { engine: this.engine, shared: true };
  }

  /** Removes the local copy of the lake. */
  async dispose(): Promise<void> {
    await this.queue;
    this.engine?.close();
    this.engine = undefined;
    if (this.mirror) await rm(this.mirror.root, { recursive: true, force: true });
    this.mirror = undefined;
  }

  private async run(e: Execution): Promise<void> {
    if (e.principal && this.authorize) {
      const denied = await this.authorize(
        e.principal.identity,
        e.principal.region,
        e.sql,
        e.outputKey,
        e.unload?.prefix,
      );
      if (denied) {
        Object.assign(e, {
          state: 'FAILED',
          reason: athenaDeniedReason(denied),
          doneAt: Date.now(),
        });
        return;
      }
    }
    if (e.unload) return this.runUnload(e, e.unload);
    const { engine, shared } = await this.openLake();
    try {
      const result = await engine.run(e.sql);
      const types = await engine.run(`DESCRIBE ${e.sql}`);
      if ((e.state as string) === 'CANCELLED') return;
      e.columns = result.columns.map((name, i) => ({
        Name: name,
        Type:
          ATHENA_TYPE[String(types.rows[i]?.column_type)] ??
          (String(types.rows[i]?.column_type).startsWith('TIMESTAMP') ? 'timestamp' : 'varchar'),
      }));
      // The result lives in the results bucket only, as Athena's does: GetQueryResults reads it
      // back from there, and the simulator keeps no rows of its own.
      const csv = [
        e.columns.map((c) => quote(c.Name)),
        ...result.rows.map((r) => result.columns.map((c) => (r[c] === null ? '' : quote(athenaText(r[c]))))),
      ]
        .map((l) => l.join(','))
        .join('\n');
      await this.options.store.put(e.outputKey, `${csv}\n`, { contentType: 'text/csv' });
      e.scanned = csv.length;
      Object.assign(e, { state: 'SUCCEEDED', doneAt: Date.now() });
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      Object.assign(e, { state: 'FAILED', reason: `INVALID_QUERY: ${message}`, doneAt: Date.now() });
    } finally {
      if (!shared) engine.close();
    }
  }

  /**
   * UNLOAD as Athena does it, on the stricter reading where its documentation leaves room: Parquet
   * only here; the target must be in the pipeline's bucket and empty, or the query fails as
   * Athena's does; the rows are spread over several files whose names Athena picks (no
   * extension, nothing to rely on), none for no rows; the manifest in the results lists them.
   */
  private async runUnload(e: Execution, unload: NonNullable<Execution['unload']>): Promise<void> {
    const fail = (reason: string) => Object.assign(e, { state: 'FAILED', reason, doneAt: Date.now() });
    const format = (unload.properties.get('format') ?? '').toUpperCase();
    if (format !== 'PARQUET')
      return void fail(
        `NOT_SUPPORTED: the simulator writes UNLOAD as PARQUET only, not ${format || 'the default'}`,
      );
    if (!unload.url.startsWith(`s3://${this.options.bucket}/`) || !unload.prefix.endsWith('/'))
      return void fail(
        `INVALID_INPUT: UNLOAD location ${unload.url} is not a folder of bucket ${this.options.bucket}`,
      );
    if ((await this.options.store.list(unload.prefix)).length > 0)
      return void fail(
        `HIVE_PATH_ALREADY_EXISTS: Target directory for table '${this.options.database}.tmp_${e.id.replaceAll('-', '_')}' already exists: ${unload.url}`,
      );
    const { engine, shared } = await this.openLake();
    const out = await mkdtemp(join(tmpdir(), 'credlake-unload-'));
    try {
      await engine.run(
        `COPY (${unload.select}) TO '${join(out, 'part')}' (FORMAT PARQUET, COMPRESSION SNAPPY, ROW_GROUP_SIZE ${UNLOAD_ROWS_PER_FILE}, ROW_GROUPS_PER_FILE 1)`,
      );
      if ((e.state as string) === 'CANCELLED') return;
      const written: string[] = [];
      let bytes = 0;
      const files = (await readdir(join(out, 'part'))).sort();
      for (const file of files) {
        const path = join(out, 'part', file);
        const count = await engine.run(`SELECT count(*) AS n FROM read_parquet('${path}')`);
        if (Number(count.rows[0].n) === 0) continue;
        const body = new Uint8Array(await readFile(path));
        const key = `${unload.prefix}${e.id.replaceAll('-', '')}_${randomUUID()}`;
        await this.options.store.put(key, body);
        written.push(`s3://${this.options.bucket}/${key}`);
        bytes += body.length;
      }
      await this.options.store.put(e.outputKey, written.map((w) => `${w}\n`).join(''), {
        contentType: 'text/csv',
      });
      e.scanned = bytes;
      Object.assign(e, { state: 'SUCCEEDED', doneAt: Date.now() });
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      fail(`INVALID_QUERY: ${message}`);
    } finally {
      await rm(out, { recursive: true, force: true });
      if (!shared) engine.close();
    }
  }

  private describe(e: Execution): Json {
    return {
      QueryExecutionId: e.id,
      Query: e.sql,
      StatementType: 'DML',
      WorkGroup: e.workgroup,
      ResultConfiguration: {
        OutputLocation: e.unload
          ? `s3://${this.options.bucket}/athena-results/${e.id}`
          : `s3://${this.options.bucket}/${e.outputKey}`,
      },
      Status: {
        State: e.state,
        StateChangeReason: e.reason,
        SubmissionDateTime: e.submittedAt / 1000,
        CompletionDateTime: e.doneAt ? e.doneAt / 1000 : undefined,
        AthenaError:
          e.state === 'FAILED'
            ? { ErrorCategory: 2, ErrorType: 1001, Retryable: false, ErrorMessage: e.reason }
            : undefined,
      },
      Statistics: {
        DataScannedInBytes: e.scanned,
        EngineExecutionTimeInMillis: e.doneAt ? e.doneAt - e.submittedAt : 0,
        ...(e.unload && e.state === 'SUCCEEDED'
          ? { DataManifestLocation: `s3://${this.options.bucket}/${e.outputKey}` }
          : {}),
      },
    };
  }

  /**
   * Pages as Athena does, from the result in the bucket: the header is the first row of the first
   * page, 1,000 rows a page, and NULL (an empty field unquoted) has no value.
   */
  private async results(e: Execution, body: Json): Promise<Json> {
    if (e.state !== 'SUCCEEDED')
      throw new ServiceError(
        400,
        'InvalidRequestException',
        `Query has not yet finished. Current state: ${e.state}`,
      );
    const csv = e.unload ? '' : await getText(this.options.store, e.outputKey);
    const all = (
      csv
        ? parse(csv, {
            relax_column_count: true,
            cast: (value, context) => (context.quoting || value !== '' ? value : null),
          })
        : [e.columns.map((c) => c.Name)]
    ) as (string | null)[][];
    const max = Math.min(Number(body.MaxResults ?? 1000), 1000);
    const start = Number(body.NextToken ?? 0);
    const page = all.slice(start, start + max);
    this.rowsServed += page.length - (start === 0 && page.length ? 1 : 0);
    return {
      ResultSet: {
        Rows: page.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
        ResultSetMetadata: {
          ColumnInfo: e.columns.map((c) => ({
            Name: c.Name,
            Label: c.Name,
            Type: c.Type,
            CatalogName: 'hive',
            SchemaName: '',
            TableName: '',
            Nullable: 'UNKNOWN',
          })),
        },
      },
      NextToken: start + max < all.length ? String(start + max) : undefined,
      UpdateCount: 0,
    };
  }
}

const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** Athena renders timestamps as `2024-05-01 06:07:08.000` (UTC), booleans as true/false. */
function athenaText(v: PlainValue): string {
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v))
    return v.replace('T', ' ').replace('Z', '');
  return String(v);
}
