// The deployed path on one machine: the synthesized state machine runs in aws-local-stepfunctions
// (an engine we did not write), its Lambda tasks bound to the real handlers, against the
// simulator (STS, IAM, Organizations, Glue, Athena, SNS) and a real S3-compatible server. A
// healthy run must equal `credlake run --simulate` on the same organization; a run whose
// functions crash, are throttled, or fail for a quarter of the accounts must still end with every
// planned account in the run record, and say so.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportKey, WAIVERS_FILE_KEY } from '../../lake/keys.ts';
import { LocalStore } from '../../lake/local-store.ts';
import { S3Store } from '../../lake/s3-store.ts';
import { getText } from '../../lake/store.ts';
import { COMPLIANCE_CHECKS, EXPORTED_QUERIES } from '../../queries/catalog.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { runSavedQuery } from '../../queries/run-query.ts';
import { CALLER_ACCESS_KEY_ID, CALLER_SECRET, Simulator } from '../../simulator/simulator.ts';
import { waiverSpecsForRun, waiversYaml } from '../../simulator/waivers.ts';
import { addDays } from '../../transforms/dates.ts';
import { runCli } from '../helpers/cli.ts';
import {
  type Deployment,
  deployPipeline,
  functionArn,
  functionId,
  type HandlerWrap,
  runDeployed,
} from '../helpers/deployed-pipeline.ts';
import { type Enforcement, enforce, type ServiceAct, servicesAtWork } from '../helpers/enforced-world.ts';
import { type EnforcingProxy, startEnforcingProxy } from '../helpers/enforcing-proxy.ts';
import type { IamWorld } from '../helpers/iam-world.ts';
import { type S3Server, startS3Server } from '../helpers/s3-server.ts';
import { PAYLOAD_LIMIT_BYTES, type RunOptions, type RunReport } from '../helpers/step-functions.ts';

// The day every run of this file collects, given to each execution as its input (an operator's
// run for a date) rather than read from the clock by the plan step: a file that runs for minutes
// may cross midnight UTC, and its scenarios compare with one another and with the local run.
const DT = new Date().toISOString().slice(0, 10);
const ACCOUNTS = 18;
const SEED = 31;
const BUCKETS = ['credlake-healthy', 'credlake-faults', 'credlake-digest', 'credlake-narrowed'];

interface Scenario {
  sim: Simulator;
  store: S3Store;
  deployment: Deployment;
  enforcement: Enforcement;
  /** What AWS's services did for the deployment, each decided by the world. */
  services: ServiceAct[];
  report: RunReport;
  /** Accounts the organization has ACTIVE: what the plan must cover. */
  active: string[];
}

let s3: S3Server;
let proxy: EnforcingProxy;
const sims: Simulator[] = [];
let localLake: string;
/** Every deployment's IAM world: which statements allowed a request, over the whole file. */
const worlds: IamWorld[] = [];
/** The healthy run's scenario. */
let healthy: Scenario;

async function scenario(
  bucket: string,
  wrap?: (active: string[]) => HandlerWrap,
  options: (deployment: Deployment, active: string[]) => Partial<RunOptions> = () => ({}),
  /** Changes the template's IAM before the engine decides with it (a planted fault). */
  plant: (template: Deployment['template']) => Deployment['template'] = (t) => t,
  /** CDK settings for this deployment. */
  context?: Record<string, unknown>,
): Promise<Scenario> {
  const store = new S3Store(s3.client, bucket, '');
  const sim = await Simulator.start({
    accounts: ACCOUNTS,
    seed: SEED,
    date: DT,
    athena: { store, bucket, workgroup: 'credlake', database: 'credlake', queueMs: 20 },
  });
  sims.push(sim);
  const active = sim.org.accounts
    .filter((a) => a.state === 'ACTIVE')
    .map((a) => a.id)
    .sort();
  // The operator's waivers file, uploaded to the lake as docs/operations.md says: the same file the
  // local run installs for this simulated organization, so both apply the same waivers.
  await store.put(
    WAIVERS_FILE_KEY,
    waiversYaml(waiverSpecsForRun({ accounts: ACCOUNTS, seed: SEED, startDate: DT }, DT)),
  );
  const deployment = await deployPipeline(sim, s3, bucket, wrap?.(active), {
    s3Endpoint: proxy.endpoint,
    context,
  });
  // Every request the deployment makes is decided as its principal by an IAM engine, as AWS would.
  const enforcement = enforce(sim, proxy, deployment, bucket, { plant });
  const report = await runDeployed(
    deployment,
    s3,
    {
      lambdas: enforcement.lambdas,
      s3: enforcement.stateMachineS3,
      ...options(deployment, active),
    },
    { dt: DT },
  );
  const services = await servicesAtWork(enforcement.world, deployment.template);
  worlds.push(enforcement.world);
  return { sim, store, deployment, enforcement, services, report, active };
}

const rowsOf = async (root: string, sql: string) => {
  const engine = await DuckDbEngine.open(root);
  try {
    return (await engine.run(sql)).rows;
  } finally {
    engine.close();
  }
};

const runsIn = async (store: S3Store) => {
  const staged = await DuckDbEngine.openStore(store);
  try {
    return (
      await staged.run('SELECT account_id, status, reason, message FROM collection_runs ORDER BY account_id')
    ).rows as { account_id: string; status: string; reason: string; message: string }[];
  } finally {
    staged.close();
  }
};

/** A collect handler that crashes for the given accounts, as a function with a bug would. */
const crashing =
  (accounts: (active: string[]) => string[], alsoFailRecording: (active: string[]) => string[] = () => []) =>
  (active: string[]): HandlerWrap =>
  (_id, handler) =>
  async (event) => {
    const e = event as { accountId?: string; item?: { accountId: string } };
    if (e.accountId && accounts(active).includes(e.accountId))
      throw new Error(`simulated crash in ${e.accountId}`);
    if (e.item && alsoFailRecording(active).includes(e.item.accountId))
      throw new Error(`simulated crash recording ${e.item.accountId}`);
    return handler(event);
  };

beforeAll(async () => {
  s3 = await startS3Server(BUCKETS, [{ accessKeyId: CALLER_ACCESS_KEY_ID, secretAccessKey: CALLER_SECRET }]);
  proxy = await startEnforcingProxy(s3.endpoint);
}, 30_000);

afterAll(async () => {
  await proxy?.close();
  for (const sim of sims) await sim.close();
  await s3?.close();
});

describe('a healthy run of the synthesized state machine', () => {
  let run: Scenario;
  /** Result rows the run read back from Athena (only the Exports step queries it). */
  let rowsRead: number;
  beforeAll(async () => {
    run = await scenario(BUCKETS[0]);
    rowsRead = run.sim.athena!.rowsServed;
    healthy = run;
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

  it('succeeds, every function invoked as the definition says, every payload under 256 KiB', () => {
    expect(run.report.status, JSON.stringify(run.report.error)).toBe('SUCCEEDED');
    const calls = (name: string) =>
      run.report.invocations.get(functionArn(run.deployment, functionId(run.deployment, name)));
    expect(calls('plan')).toBe(1);
    expect(calls('collectAccount')).toBe(run.active.length);
    expect(calls('recordFailure')).toBeUndefined();
    expect(calls('finalize')).toBe(1);
    expect(calls('exportAll')).toBe(1);
    expect(run.report.childExecutions).toBe(run.active.length);
    expect(run.report.largestPayload.bytes).toBeLessThan(PAYLOAD_LIMIT_BYTES);
    expect(run.report.output).toMatchObject({
      dt: DT,
      summary: { collected: run.sim.expected(DT).collected.length, lost: 0 },
    });
  });

  it("reads back from Athena a few counts and the digest's summary, never the day's findings", async () => {
    const staged = await DuckDbEngine.openStore(run.store);
    try {
      const [{ n }] = (await staged.run(`SELECT count(*) AS n FROM findings WHERE dt = '${DT}'`)).rows;
      // The counts per waiver and status, the rollup's count, the digest's summary.
      expect(rowsRead).toBeGreaterThan(0);
      expect(rowsRead).toBeLessThanOrEqual(20);
      expect(Number(n)).toBeGreaterThan(5 * rowsRead);
    } finally {
      staged.close();
    }
  });

  it("exports the children's results to the lake through the Map's ResultWriter", async () => {
    const plan = (run.report.output as { plan: { resultsPrefix: string } }).plan;
    const manifests = (await run.store.list(plan.resultsPrefix)).filter((k) => k.endsWith('/manifest.json'));
    expect(manifests).toHaveLength(1);
    const manifest = JSON.parse((await getText(run.store, manifests[0]))!);
    const succeeded = JSON.parse((await getText(run.store, manifest.ResultFiles.SUCCEEDED[0].Key))!);
    expect(succeeded.map((e: { Input: string }) => JSON.parse(e.Input).item.accountId).sort()).toEqual(
      run.active,
    );
  });

  it('lands the same curated rows and run outcomes as credlake run --simulate', async () => {
    const staged = await DuckDbEngine.openStore(run.store);
    const deployedRows = async (sql: string) => (await staged.run(sql)).rows;
    try {
      const reportSql =
        'SELECT * EXCLUDE (run_id, report_generated_at) FROM credential_report ORDER BY account_id, user_name';
      const deployed = await deployedRows(reportSql);
      expect(deployed.length).toBeGreaterThan(ACCOUNTS);
      expect(deployed).toEqual(await rowsOf(localLake, reportSql));
      const runsSql =
        'SELECT account_id, status, reason, user_count FROM collection_runs ORDER BY account_id';
      expect(await deployedRows(runsSql)).toEqual(await rowsOf(localLake, runsSql));
      expect(await deployedRows('SELECT * FROM accounts ORDER BY account_id')).toEqual(
        await rowsOf(localLake, 'SELECT * FROM accounts ORDER BY account_id'),
      );
      // The rollup: Athena wrote it in the bucket, DuckDB in the local lake, from the same SQL.
      const rollupSql =
        'SELECT dt, account_id, status, users, console_users, check_name, evaluated, findings FROM findings_daily ORDER BY account_id, check_name';
      const rollup = await deployedRows(rollupSql);
      expect(rollup.length).toBe(ACCOUNTS * COMPLIANCE_CHECKS.length);
      expect(rollup.some((r) => Number(r.findings) > 0)).toBe(true);
      expect(rollup).toEqual(await rowsOf(localLake, rollupSql));
    } finally {
      staged.close();
    }
  });

  it('writes the same exports through Athena as the local engine does', async () => {
    const local = new LocalStore(localLake);
    const varying = new Set([
      'report_generated_at (UTC)',
      'run_id',
      'attempts',
      'message',
      'report_age_hours',
    ]);
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
      const a = await getText(run.store, key);
      const b = await getText(local, key);
      expect(a, `${key} in the bucket`).toBeDefined();
      expect(normalize(a!), query.name).toEqual(normalize(b!));
    }
    // The waivers the exports step applied are kept as they were, and the rows say which applied.
    const kept = await run.store.list(`raw/waivers/dt=${DT}/`);
    expect(kept).toHaveLength(1);
    expect(await getText(run.store, kept[0])).toBe(await getText(run.store, WAIVERS_FILE_KEY));
    const statuses = (
      parse((await getText(run.store, exportKey('console_users_without_mfa', DT)))!, {
        columns: true,
      }) as Record<string, string>[]
    ).map((r) => r.waiver_status);
    expect(new Set(statuses)).toEqual(new Set(['open', 'waived', 'waiver_expired']));
  });

  it("makes only S3 requests its functions' roles and the bucket policy allow, as an IAM engine decides them", () => {
    expect(proxy.refusals.filter((r) => r.path.startsWith(`/${BUCKETS[0]}/`))).toEqual([]);
  });

  it('makes only the STS, IAM, Organizations, Glue, Athena and SNS calls its roles and the resource policies allow', () => {
    // Refusals the simulator gave (the proxy's are S3's): none, while the world was deciding.
    expect(run.enforcement.refusals.filter((r) => r.method === 'POST')).toEqual([]);
    const used = run.enforcement.world.used;
    // The world did decide: the collector assumed member roles through their trust policy, read
    // Organizations through the delegation policy, and used the key.
    for (const policy of ['member role trust policy#1', 'Organizations delegation policy#1', 'key policy#1'])
      expect(used.has(policy), policy).toBe(true);
  });

  it('lets every AWS service do its part for the deployment, under the roles and resource policies it synthesized', () => {
    expect(run.services.length).toBeGreaterThan(40);
    expect(run.services.filter((a) => !a.allowed)).toEqual([]);
  });

  it('registers every partition in the Glue catalog exactly once, where the data is', () => {
    const collected = run.sim.expected(DT).collected;
    const parts = run.sim.glue.partitions.get('credlake.credential_report') ?? [];
    expect(parts.map((p) => p.values[1]).sort()).toEqual([...collected].sort());
    for (const p of parts)
      expect(p.location).toBe(
        `s3://${BUCKETS[0]}/curated/credential_report/dt=${DT}/account_id=${p.values[1]}/`,
      );
    expect(run.sim.glue.partitions.get('credlake.accounts')?.map((p) => p.values)).toEqual([[DT]]);
    expect(run.sim.glue.partitions.get('credlake.collection_runs')?.map((p) => p.values)).toEqual([[DT]]);
    expect(run.sim.glue.partitions.get('credlake.findings_daily')?.map((p) => p.location)).toEqual([
      `s3://${BUCKETS[0]}/curated/findings_daily/dt=${DT}/`,
    ]);
    const requested = run.sim.glue.createRequests.map((r) => `${r.table}/${r.values.join('/')}`);
    expect(new Set(requested).size).toBe(requested.length);
  });
});

describe('a second run of the same day', () => {
  it("replaces the day's findings and rollup that Athena wrote, leaving none of the first run's files", async () => {
    // The healthy deployment runs its day again (its first run's tests above have read what they
    // need), before another deployment is made: the functions' way to the simulator is set for the
    // whole process, and the last deployment made owns it.
    const run = healthy;
    expect(run.report.status, JSON.stringify(run.report.error)).toBe('SUCCEEDED');
    const partFiles = async () => ({
      findings: (await run.store.list(`curated/findings/dt=${DT}/`)).sort(),
      findings_daily: (await run.store.list(`curated/findings_daily/dt=${DT}/`)).sort(),
    });
    const count = async () => {
      const engine = await DuckDbEngine.openStore(run.store);
      try {
        const n = async (table: string) =>
          Number((await engine.run(`SELECT count(*) AS n FROM ${table} WHERE dt = '${DT}'`)).rows[0].n);
        return { findings: await n('findings'), findings_daily: await n('findings_daily') };
      } finally {
        engine.close();
      }
    };
    const first = await partFiles();
    const counted = await count();
    expect(counted.findings).toBeGreaterThan(0);
    // Files Athena wrote, copied in under their query's id: never the name of a file we encoded.
    expect(first.findings.every((k) => /\/part-[0-9a-f-]{36}-\d{5}\.parquet$/.test(k))).toBe(true);

    const second = await runDeployed(run.deployment, s3, {}, { dt: DT });
    expect(second.status, JSON.stringify(second.error)).toBe('SUCCEEDED');
    const again = await partFiles();
    expect(again.findings.length).toBeGreaterThan(0);
    expect(again.findings.filter((k) => first.findings.includes(k))).toEqual([]);
    expect(again.findings_daily.filter((k) => first.findings_daily.includes(k))).toEqual([]);
    // The same organization on the same day: the same rows, once.
    expect(await count()).toEqual(counted);
  }, 240_000);
});

describe('the digest of what changed, from the exports step', () => {
  it('sends nothing after a first run, and the new and resolved findings to the topic after the next', async () => {
    // This deployment also imports its findings into Security Hub (the securityHub setting).
    const run = await scenario('credlake-digest', undefined, undefined, undefined, { securityHub: 'true' });
    const inHub = () => [...run.sim.securityHub.findings.values()];
    expect(run.report.output).toMatchObject({ exports: { securityHub: { failed: 0 } } });
    const firstDay = inHub().map((f) => f.Id);
    expect(firstDay.length).toBeGreaterThan(0);
    const digests = () =>
      run.sim.stats.published.filter((m) => /^credlake \d{4}-\d{2}-\d{2}: /.test(m.subject));
    expect(run.report.output).toMatchObject({ exports: { digest: { sent: false } } });
    expect(digests()).toEqual([]);

    // Both runs are dated DT by their input, so the first run's lake is moved 40 days back, and the
    // organization 40 days on: the next run compares its snapshot with that one.
    const earlier = addDays(DT, -40);
    for (const key of await run.store.list('')) {
      if (!key.includes(`dt=${DT}/`)) continue;
      await run.store.put(key.replace(`dt=${DT}/`, `dt=${earlier}/`), (await run.store.get(key))!);
      await run.store.delete(key);
    }
    run.sim.advanceTo(addDays(DT, 40));
    const second = await runDeployed(run.deployment, s3, {}, { dt: DT });
    expect(second.status, JSON.stringify(second.error)).toBe('SUCCEEDED');
    expect(second.output).toMatchObject({ exports: { digest: { sent: true } } });
    const staged = await DuckDbEngine.openStore(run.store);
    let rows: Record<string, unknown>[];
    try {
      rows = (await runSavedQuery(staged, 'findings_changes', { date: DT })).rows;
    } finally {
      staged.close();
    }
    const fresh = rows.filter((r) => r.change === 'new');
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((r) => r.previous_dt === earlier)).toBe(true);
    expect(digests()).toHaveLength(1);
    expect(digests()[0].subject).toContain(`credlake ${DT}: ${fresh.length} new finding`);
    expect(digests()[0].message).toContain(String(fresh[0].finding_key).split('|')[1]);
    // Security Hub holds what findings_changes says: the new ones added, the resolved archived.
    const id = (r: Record<string, unknown>) => `credlake/${r.finding_key}`;
    const resolved = rows
      .filter((r) => r.change === 'resolved')
      .map(id)
      .sort();
    expect(resolved.length).toBeGreaterThan(0);
    expect(
      inHub()
        .filter((f) => f.RecordState === 'ARCHIVED')
        .map((f) => f.Id)
        .sort(),
    ).toEqual(resolved);
    const added = inHub()
      .filter((f) => !firstDay.includes(f.Id))
      .map((f) => f.Id)
      .sort();
    expect(added).toEqual(fresh.map(id).sort());
    expect(second.output).toMatchObject({
      exports: { securityHub: { archived: resolved.length, resolved: resolved.length, failed: 0 } },
    });
  }, 240_000);
});

describe('failures inside the Distributed Map', () => {
  // One run with every failure the Map must outlive: the collect function of a quarter of the
  // accounts crashes, one more account's too and then its RecordFailure (the account is lost),
  // and one collect invocation is throttled once by Lambda.
  const quarter = (active: string[]) => active.filter((_, i) => i % 4 === 0);
  const lostOf = (active: string[]) => active[1];
  const throttledOf = (active: string[]) => active[2];
  let run: Scenario;
  let throttled = '';
  beforeAll(async () => {
    run = await scenario(
      'credlake-faults',
      crashing(
        (active) => [...quarter(active), lostOf(active)],
        (active) => [lostOf(active)],
      ),
      (deployment, active) => ({
        lambdaFault: (arn, payload) => {
          const id = (payload as { accountId?: string }).accountId;
          if (
            arn !== functionArn(deployment, functionId(deployment, 'collectAccount')) ||
            id !== throttledOf(active) ||
            throttled
          )
            return;
          throttled = id;
          return 'Lambda.TooManyRequestsException';
        },
      }),
    );
  }, 120_000);

  it('records a collect function that throws as failed with its error, and a lost account as lost; the notice names both', async () => {
    expect(run.report.status, JSON.stringify(run.report.error)).toBe('SUCCEEDED');
    const runs = await runsIn(run.store);
    expect(runs.map((r) => r.account_id)).toEqual(run.sim.org.accounts.map((a) => a.id).sort());
    const [crashed, lost] = [run.active[0], lostOf(run.active)].map(
      (id) => runs.find((r) => r.account_id === id)!,
    );
    expect(crashed).toMatchObject({ status: 'failed', reason: 'error' });
    expect(crashed.message).toContain(`simulated crash in ${run.active[0]}`);
    expect(lost).toMatchObject({ status: 'failed', reason: 'lost' });
    const notice = run.sim.stats.published.map((p) => p.message).join('\n');
    expect(notice).toContain(run.active[0]);
    expect(notice).toContain(lostOf(run.active));
    expect(run.report.output).toMatchObject({
      summary: { failed: quarter(run.active).length + 1, lost: 1 },
    });
  });

  it('retries a throttled collect invocation, and the account is collected', async () => {
    expect(throttled).toBe(throttledOf(run.active));
    const collect = functionArn(run.deployment, functionId(run.deployment, 'collectAccount'));
    expect(run.report.invocations.get(collect)).toBe(run.active.length + 1);
    const runs = await runsIn(run.store);
    expect(runs.find((r) => r.account_id === throttled)).toMatchObject({ status: 'collected' });
    const crashed = new Set([...quarter(run.active), lostOf(run.active)]);
    expect(runs.filter((r) => r.status === 'collected').length).toBe(
      run.sim.expected(DT).collected.filter((id) => !crashed.has(id)).length,
    );
  });

  it('finishes a run where a quarter of the accounts fail, every planned account in the run record once', async () => {
    const runs = await runsIn(run.store);
    expect(new Set(runs.map((r) => r.account_id)).size).toBe(runs.length);
    const failed = runs.filter((r) => r.status === 'failed' && r.reason === 'error').map((r) => r.account_id);
    expect(failed).toEqual(quarter(run.active));
    expect(run.report.largestPayload.bytes).toBeLessThan(PAYLOAD_LIMIT_BYTES);
  });

  it('fails as AWS would when a role is narrower than its step needs (a planted fault the IAM engine must catch)', async () => {
    const refusedBefore = proxy.refusals.length;
    // RecordFailure without the listing it needs to read the account's outcomes so far.
    const narrowed = (template: Deployment['template']) => {
      const copy = structuredClone(template);
      for (const [id, r] of Object.entries(copy.Resources)) {
        if (r.Type !== 'AWS::IAM::Policy' || !id.startsWith('FunctionsRecordFailureRole')) continue;
        const doc = r.Properties.PolicyDocument as { Statement: { Action: unknown }[] };
        doc.Statement = doc.Statement.filter((st) => st.Action !== 's3:ListBucket');
      }
      return copy;
    };
    const run = await scenario(
      'credlake-narrowed',
      crashing((active) => [active[0]]),
      undefined,
      narrowed,
    );
    const refused = proxy.refusals.slice(refusedBefore);
    expect(refused.map((r) => [r.functionId.replace(/[0-9A-F]{8}$/, ''), r.action])).toContainEqual([
      'FunctionsRecordFailure',
      's3:ListBucket',
    ]);
    // The catch branch itself failed: the account has no outcome of its own and is found lost.
    const crashed = (await runsIn(run.store)).find((r) => r.account_id === run.active[0]);
    expect(crashed).toMatchObject({ status: 'failed', reason: 'lost' });
  }, 120_000);
});

describe('credlake query and export --engine athena', () => {
  const env = () => ({
    AWS_ENDPOINT_URL: sims[0].endpoint,
    AWS_ACCESS_KEY_ID: sims[0].callerCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sims[0].callerCredentials.secretAccessKey,
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

describe('least privilege, shown', () => {
  /**
   * Statements no request of this file's runs needs, each with the reason it stays. Empty: every
   * statement of every policy (identity, trust and resource) allowed something.
   */
  const MUST_STAY: {
    readonly match: (statement: Record<string, unknown>) => boolean;
    readonly reason: string;
  }[] = [];

  /** The Allow statements that allowed no request in any of the worlds, unexplained. */
  const unexplained = (all: IamWorld[]) => {
    const unused = new Map<string, Record<string, unknown>>();
    for (const world of all)
      for (const ref of world.statements())
        if (!all.some((w) => w.used.has(ref.id))) unused.set(ref.id, ref.statement);
    return [...unused]
      .filter(([, st]) => !MUST_STAY.some((m) => m.match(st)))
      .map(([id, st]) => `${id} ${JSON.stringify(st)}`);
  };

  it('every Allow statement of every policy allowed a request of some run, or carries the reason it stays', () => {
    expect(worlds.length).toBeGreaterThanOrEqual(BUCKETS.length);
    expect(unexplained(worlds)).toEqual([]);
  });

  it('names a statement that nothing uses (a planted grant of iam:CreateUser to the plan function)', async () => {
    const planted = structuredClone(healthy.deployment.template);
    const policyId = Object.keys(planted.Resources).find(
      (id) => planted.Resources[id].Type === 'AWS::IAM::Policy' && id.startsWith('FunctionsPlanRole'),
    )!;
    const doc = planted.Resources[policyId].Properties.PolicyDocument as { Statement: unknown[] };
    doc.Statement.push({ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' });
    const world = enforce(healthy.sim, proxy, { ...healthy.deployment, template: planted }, BUCKETS[0]).world;
    await servicesAtWork(world, planted);
    const found = unexplained([...worlds, world]);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('iam:CreateUser');
  });
});
