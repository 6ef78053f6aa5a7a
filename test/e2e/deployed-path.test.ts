// The deployed path on one machine: the Lambda handlers run in the order, and with the payloads,
// of the synthesized state machine, against the simulator (STS, IAM, Organizations, Glue, Athena,
// SNS) and a real S3-compatible server. The outcome must equal `credlake run --simulate` on the
// same organization, and every partition must be registered in Glue exactly once.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient, type TableInput } from '@aws-sdk/client-glue';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportKey } from '../../lake/keys.ts';
import { LocalStore } from '../../lake/local-store.ts';
import { S3Store } from '../../lake/s3-store.ts';
import { getText } from '../../lake/store.ts';
import { EXPORTED_QUERIES } from '../../queries/catalog.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { CALLER_ACCESS_KEY_ID, CALLER_SECRET, Simulator } from '../../simulator/simulator.ts';
import { type AslMachine, runMachine } from '../helpers/asl-driver.ts';
import { testApp } from '../helpers/cdk-app.ts';
import { runCli } from '../helpers/cli.ts';
import { type S3Server, startS3Server } from '../helpers/s3-server.ts';

const BUCKET = 'credlake-data';
const DT = new Date().toISOString().slice(0, 10);
const ACCOUNTS = 18;
const SEED = 31;

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Resolves the CloudFormation intrinsics of the synthesized template to this test's values. */
function resolver(resources: Resources) {
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const v = value as Record<string, unknown>;
    if ('Ref' in v) {
      const r = resources[String(v.Ref)];
      if (r?.Type === 'AWS::S3::Bucket') return BUCKET;
      if (r?.Type === 'AWS::SNS::Topic') return 'arn:aws:sns:us-east-1:222222222222:credlake-run-summary';
      if (String(v.Ref).startsWith('AWS::'))
        return {
          'AWS::Region': 'us-east-1',
          'AWS::AccountId': '222222222222',
          'AWS::Partition': 'aws',
          'AWS::URLSuffix': 'amazonaws.com',
        }[String(v.Ref)];
      throw new Error(`unresolved Ref ${String(v.Ref)}`);
    }
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      if (attr === 'NamedQueryId') return `nq-${resources[id].Properties.Name}`;
      if (attr === 'Arn') return `arn:lambda:${id}`;
      throw new Error(`unresolved GetAtt ${id}.${attr}`);
    }
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(resolve(p))).join(sep);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  };
  return resolve;
}

let s3: S3Server;
let sim: Simulator;
let localLake: string;
let machine: AslMachine;
const trace: { state: string; input: unknown }[] = [];
const payloads = new Map<string, unknown[]>();

beforeAll(async () => {
  s3 = await startS3Server([BUCKET], [{ accessKeyId: CALLER_ACCESS_KEY_ID, secretAccessKey: CALLER_SECRET }]);
  const store = new S3Store(s3.client, BUCKET, '');
  sim = await Simulator.start({
    accounts: ACCOUNTS,
    seed: SEED,
    date: DT,
    athena: { store, bucket: BUCKET, workgroup: 'credlake', database: 'credlake', queueMs: 20 },
  });
  const template = Template.fromStack(testApp().pipeline).toJSON() as { Resources: Resources };
  const resolve = resolver(template.Resources);
  const stateMachine = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  )!;
  machine = JSON.parse(String(resolve(stateMachine.Properties.DefinitionString)));

  // Deploy the catalog part of the template to the simulated Glue, as CloudFormation would.
  const glue = new GlueClient({
    region: 'us-east-1',
    endpoint: sim.endpoint,
    credentials: sim.callerCredentials,
  });
  for (const r of Object.values(template.Resources).filter((x) => x.Type === 'AWS::Glue::Database')) {
    await glue.send(
      new CreateDatabaseCommand({ DatabaseInput: resolve(r.Properties.DatabaseInput) as { Name: string } }),
    );
  }
  for (const r of Object.values(template.Resources).filter((x) => x.Type === 'AWS::Glue::Table')) {
    await glue.send(
      new CreateTableCommand({
        DatabaseName: String(r.Properties.DatabaseName),
        TableInput: resolve(r.Properties.TableInput) as TableInput,
      }),
    );
  }

  // Each function's environment as the template sets it, plus endpoints pointing at this machine.
  // The pipeline's own functions (not the CDK-managed custom resource provider).
  const functions = Object.entries(template.Resources).filter(
    ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('Functions'),
  );
  for (const [, r] of functions)
    Object.assign(process.env, resolve((r.Properties.Environment as { Variables: object }).Variables));
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ACCESS_KEY_ID: sim.callerCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sim.callerCredentials.secretAccessKey,
    CREDLAKE_S3_FORCE_PATH_STYLE: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const modules = {
    ...(await import('../../collector/handler.ts')),
    ...(await import('../../queries/handler.ts')),
  } as Record<string, (e: unknown) => Promise<unknown>>;
  const handlerOf = new Map(
    functions.map(([id, r]) => [`arn:lambda:${id}`, String(r.Properties.Handler).replace(/^index\./, '')]),
  );

  await runMachine(
    machine,
    {},
    {
      startTime: `${DT}T05:00:00Z`,
      trace,
      invoke: async (resource, payload) => {
        const name = handlerOf.get(resource);
        if (!name || !modules[name]) throw new Error(`no handler for ${resource}`);
        payloads.set(name, [...(payloads.get(name) ?? []), payload]);
        // Payloads cross the Lambda boundary as JSON.
        return JSON.parse(JSON.stringify(await modules[name](JSON.parse(JSON.stringify(payload)))));
      },
    },
  );

  localLake = await mkdtemp(join(tmpdir(), 'credlake-deployed-local-'));
  const local = await runCli([
    'run',
    '--simulate',
    '--accounts',
    String(ACCOUNTS),
    '--seed',
    String(SEED),
    '--days',
    '1',
    '--date',
    DT,
    '--lake',
    localLake,
    '--quiet',
  ]);
  expect(local.code, local.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await sim?.close();
  await s3?.close();
});

const rowsOf = async (root: string, sql: string) => {
  const engine = await DuckDbEngine.open(root);
  try {
    return (await engine.run(sql)).rows;
  } finally {
    engine.close();
  }
};

describe('the deployed handlers, driven by the synthesized state machine', () => {
  it('run in the order of the definition, with its payloads', () => {
    const order = [...new Set(trace.map((t) => t.state))];
    expect(order).toEqual(['Start', 'Plan', 'CollectAccounts', 'CollectAccount', 'Finalize', 'Exports']);
    expect(payloads.get('plan')).toEqual([{ dt: DT }]);
    const planned = sim.org.accounts.filter((a) => a.state === 'ACTIVE').length;
    expect(payloads.get('collectAccount')).toHaveLength(planned);
    expect(payloads.get('finalize')?.[0]).toMatchObject({ dt: DT, results: expect.any(Array) });
    expect(payloads.get('exportAll')).toEqual([{ dt: DT }]);
  });

  it('land the same curated rows and run outcomes as credlake run --simulate', async () => {
    const staged = await DuckDbEngine.openStore(new S3Store(s3.client, BUCKET, ''));
    const deployedRoot = staged.lakeRoot;
    staged.close();
    const reportSql =
      'SELECT * EXCLUDE (run_id, report_generated_at) FROM credential_report ORDER BY account_id, user_name';
    const deployed = await rowsOf(deployedRoot, reportSql);
    expect(deployed.length).toBeGreaterThan(ACCOUNTS);
    expect(deployed).toEqual(await rowsOf(localLake, reportSql));
    const runsSql = 'SELECT account_id, status, reason, user_count FROM collection_runs ORDER BY account_id';
    expect(await rowsOf(deployedRoot, runsSql)).toEqual(await rowsOf(localLake, runsSql));
    expect(await rowsOf(deployedRoot, 'SELECT * FROM accounts ORDER BY account_id')).toEqual(
      await rowsOf(localLake, 'SELECT * FROM accounts ORDER BY account_id'),
    );
  });

  it('write the same exports through Athena as the local engine does', async () => {
    const deployed = new S3Store(s3.client, BUCKET, '');
    const local = new LocalStore(localLake);
    const varying = new Set(['report_generated_at', 'run_id', 'attempts', 'message', 'report_age_hours']);
    const normalize = (csv: string) =>
      (parse(csv, { columns: true }) as Record<string, string>[]).map((row) =>
        Object.fromEntries(
          Object.entries(row)
            .filter(([k]) => !varying.has(k))
            .map(([k, v]) => [k, v.replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}\.\d{3})$/, '$1T$2Z')]),
        ),
      );
    for (const query of EXPORTED_QUERIES) {
      const key = exportKey(query.name, DT);
      const a = await getText(deployed, key);
      const b = await getText(local, key);
      expect(a, `${key} in the bucket`).toBeDefined();
      expect(normalize(a!), query.name).toEqual(normalize(b!));
    }
  });

  it('register every partition in the Glue catalog exactly once, where the data is', () => {
    const collected = sim.expected(DT).collected;
    const parts = sim.glue.partitions.get('credlake.credential_report') ?? [];
    expect(parts.map((p) => p.values[1]).sort()).toEqual([...collected].sort());
    for (const p of parts)
      expect(p.location).toBe(`s3://${BUCKET}/curated/credential_report/dt=${DT}/account_id=${p.values[1]}/`);
    expect(sim.glue.partitions.get('credlake.accounts')?.map((p) => p.values)).toEqual([[DT]]);
    expect(sim.glue.partitions.get('credlake.collection_runs')?.map((p) => p.values)).toEqual([[DT]]);
    const requested = sim.glue.createRequests.map((r) => `${r.table}/${r.values.join('/')}`);
    expect(new Set(requested).size).toBe(requested.length);
  });
});

describe('credlake query and export --engine athena', () => {
  const env = () => ({
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: sim.callerCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sim.callerCredentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
  });

  it('answers a saved query from Athena as the local engine does, and reports bytes scanned', async () => {
    const athena = await runCli(
      [
        'query',
        'console_users_without_mfa',
        '--engine',
        'athena',
        '--workgroup',
        'credlake',
        '--database',
        'credlake',
        '--format',
        'json',
      ],
      env(),
    );
    expect(athena.code, athena.stderr).toBe(0);
    expect(athena.stderr).toMatch(/scanned \d+ bytes/);
    const local = await runCli([
      'query',
      'console_users_without_mfa',
      '--lake',
      localLake,
      '--format',
      'json',
    ]);
    const key = (r: Record<string, unknown>) => `${r.account_id}|${r.user_name}|${r.password_days_since_use}`;
    expect(JSON.parse(athena.stdout).map(key).sort()).toEqual(JSON.parse(local.stdout).map(key).sort());
  });

  it('fails clearly on a failed query and on missing flags', async () => {
    const missing = await runCli(['query', 'stale_access_keys', '--engine', 'athena'], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--engine athena needs --workgroup and --database');
    const wrong = await runCli(
      ['query', 'stale_access_keys', '--engine', 'athena', '--workgroup', 'nope', '--database', 'credlake'],
      env(),
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('WorkGroup nope is not found');
  });

  it('exports every compliance query from Athena into a folder', async () => {
    const out = await mkdtemp(join(tmpdir(), 'credlake-athena-export-'));
    const r = await runCli(
      [
        'export',
        '--engine',
        'athena',
        '--workgroup',
        'credlake',
        '--database',
        'credlake',
        '--date',
        DT,
        '--out',
        out,
      ],
      env(),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`exported ${EXPORTED_QUERIES.length} queries of snapshot ${DT} from Athena`);
  });
});
