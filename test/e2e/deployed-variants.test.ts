// Every documented deployment variant runs a day end to end under IAM: the synthesized state
// machine in aws-local-stepfunctions, every request its functions (and the services acting for
// it) make decided by an IAM policy engine against that variant's synthesized policies. Each day
// must succeed with every active account collected, nothing refused, and every statement of every
// variant's policies must have allowed something.
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingKeyPolicy } from '../../infra/key-policy.ts';
import { curatedKey, WAIVERS_FILE_KEY } from '../../lake/keys.ts';
import { S3Store } from '../../lake/s3-store.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { CALLER_ACCESS_KEY_ID, CALLER_SECRET, Simulator } from '../../simulator/simulator.ts';
import { waiverSpecsForRun, waiversYaml } from '../../simulator/waivers.ts';
import { encodeParquet } from '../../transforms/parquet.ts';
import { TABLES } from '../../transforms/schema.ts';
import {
  deployPipeline,
  type HandlerWrap,
  runDeployed,
  toolingAccountOf,
} from '../helpers/deployed-pipeline.ts';
import { enforce, type ServiceAct, servicesAtWork } from '../helpers/enforced-world.ts';
import { type EnforcingProxy, startEnforcingProxy } from '../helpers/enforcing-proxy.ts';
import type { IamWorld } from '../helpers/iam-world.ts';
import { type S3Server, startS3Server } from '../helpers/s3-server.ts';
import type { RunReport } from '../helpers/step-functions.ts';

const ACCOUNTS = 6;
const SEED = 5;

interface Variant {
  readonly name: string;
  /** CDK settings over cdk.json's. */
  readonly context: (sim: Simulator) => Record<string, unknown>;
  readonly tooling?: 'member' | 'management';
  /** A key the stack does not own: its ARN (the key policy is the one synth prints). */
  readonly existingKey?: boolean;
  /** The external id the organization's member roles require. */
  readonly externalId?: string;
}

const KEY_ID = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

const VARIANTS: Variant[] = [
  { name: 'default: tooling account apart, IAM delegated administrator', context: () => ({}) },
  {
    name: 'deployed from the management account',
    context: () => ({ deployFrom: 'management' }),
    tooling: 'management',
  },
  { name: 'S3-managed encryption', context: () => ({ encryption: 's3-managed' }) },
  {
    name: 'an existing KMS key',
    context: (sim) => ({
      encryption: 'kms-existing',
      kmsKeyArn: `arn:aws:kms:us-east-1:${toolingAccountOf(sim)}:key/${KEY_ID}`,
    }),
    existingKey: true,
  },
  { name: 'evidence lock off', context: () => ({ evidenceLock: 'off' }) },
  { name: 'evidence lock in compliance mode', context: () => ({ evidenceLock: 'compliance' }) },
  { name: 'posture collection off', context: () => ({ collectPosture: false }) },
  {
    name: 'member roles that require an external id',
    context: () => ({ externalId: 'credlake-7f3a' }),
    externalId: 'credlake-7f3a',
  },
  { name: 'digest off', context: () => ({ digest: 'off' }) },
  { name: 'an existing bucket', context: () => ({ bucketName: 'credlake-variant-existing-bucket' }) },
  { name: 'the GovCloud partition', context: () => ({ region: 'us-gov-west-1' }) },
];

interface Day {
  readonly variant: Variant;
  readonly sim: Simulator;
  readonly report: RunReport;
  readonly world: IamWorld;
  readonly services: ServiceAct[];
  /** The account whose collect invocation crashed. */
  readonly crashed: string;
  readonly bucket: string;
  readonly refused: string[];
  readonly statuses: Record<string, string>;
  /** Whether the findings file planted as an earlier release's was still there after the run. */
  readonly earlierLeft: boolean;
  /** The day the variant collected. */
  readonly dt: string;
}

let s3: S3Server;
let proxy: EnforcingProxy;
const days: Day[] = [];

/** The collect function of each day crashes for one account, so the failure path runs too. */
const crashOne =
  (accountId: () => string): HandlerWrap =>
  (_id, handler) =>
  async (event) => {
    if ((event as { accountId?: string }).accountId === accountId()) throw new Error('simulated crash');
    return handler(event);
  };

async function runVariant(variant: Variant, index: number): Promise<Day> {
  // The pipeline collects today: each variant reads the date when it starts, so a file that runs
  // past midnight (UTC) still looks at the day each variant collected.
  const dt = new Date().toISOString().slice(0, 10);
  const earlierFindings = curatedKey('findings', dt);
  // The organization is generated from its seed: the same before and after the simulator starts.
  const probe = new Simulator({ accounts: ACCOUNTS, seed: SEED, date: dt });
  const named = String(variant.context(probe).bucketName ?? `credlake-variant-${index}`);
  const store = new S3Store(s3.client, named, '');
  const sim = await Simulator.start({
    accounts: ACCOUNTS,
    seed: SEED,
    date: dt,
    externalId: variant.externalId,
    athena: { store, bucket: named, workgroup: 'credlake', database: 'credlake', queueMs: 5 },
  });
  const context = variant.context(sim);
  await s3.client.send(new CreateBucketCommand({ Bucket: named }));
  // The operator's waivers file, as docs/operations.md has them upload it.
  await store.put(
    WAIVERS_FILE_KEY,
    waiversYaml(waiverSpecsForRun({ accounts: ACCOUNTS, seed: SEED, startDate: dt }, dt)),
  );
  // The day's findings as an earlier release wrote them (one file the function encoded): the run
  // must replace them with what Athena writes, under the same IAM.
  await store.put(earlierFindings, encodeParquet(TABLES.findings, []));
  const crashed = sim.org.accounts.filter((a) => a.state === 'ACTIVE').at(-1)!.id;
  const deployment = await deployPipeline(
    sim,
    s3,
    named,
    crashOne(() => crashed),
    {
      context,
      tooling: variant.tooling,
      s3Endpoint: proxy.endpoint,
    },
  );
  const { place } = deployment;
  const keyArn = `arn:${place.partition}:kms:${place.region}:${place.account}:key/${KEY_ID}`;
  const refusedBefore = proxy.refusals.length;
  const enforcement = enforce(sim, proxy, deployment, named, {
    world: variant.existingKey ? { existingKey: { arn: keyArn, policy: existingKeyPolicy(place) } } : {},
  });
  const report = await runDeployed(deployment, s3, {
    lambdas: enforcement.lambdas,
    s3: enforcement.stateMachineS3,
  });
  const services = await servicesAtWork(enforcement.world, deployment.template);
  const engine = await DuckDbEngine.openStore(store);
  try {
    const rows = (await engine.run('SELECT account_id, status FROM collection_runs')).rows;
    return {
      variant,
      sim,
      report,
      world: enforcement.world,
      services,
      crashed,
      bucket: named,
      refused: proxy.refusals.slice(refusedBefore).map((r) => `${r.functionId} ${r.action} ${r.resource}`),
      statuses: Object.fromEntries(rows.map((r) => [String(r.account_id), String(r.status)])),
      earlierLeft: await store.exists(earlierFindings),
      dt,
    };
  } finally {
    engine.close();
    await sim.close();
  }
}

beforeAll(async () => {
  s3 = await startS3Server([], [{ accessKeyId: CALLER_ACCESS_KEY_ID, secretAccessKey: CALLER_SECRET }]);
  proxy = await startEnforcingProxy(s3.endpoint);
  for (const [i, variant] of VARIANTS.entries()) days.push(await runVariant(variant, i));
}, 600_000);

afterAll(async () => {
  await proxy?.close();
  await s3?.close();
});

describe('every deployment variant, a day end to end under IAM', () => {
  for (const variant of VARIANTS)
    it(variant.name, () => {
      const day = days.find((d) => d.variant === variant)!;
      expect(day.report.status, JSON.stringify(day.report.error)).toBe('SUCCEEDED');
      expect(day.refused).toEqual([]);
      expect(day.services.filter((a) => !a.allowed)).toEqual([]);
      const expected = day.sim.expected(day.dt).collected.filter((id) => id !== day.crashed);
      const collected = Object.keys(day.statuses).filter((id) => day.statuses[id] === 'collected');
      expect(collected.sort()).toEqual([...expected].sort());
      // The crash is recorded as the account's failure, by RecordFailure under the same IAM.
      expect(day.statuses[day.crashed]).toBe('failed');
      expect(day.earlierLeft).toBe(false);
    });

  it('uses every Allow statement of every variant', () => {
    const unused = new Set<string>();
    for (const day of days)
      for (const ref of day.world.statements())
        if (!days.some((d) => d.world.used.has(ref.id)))
          unused.add(`${ref.id} ${JSON.stringify(ref.statement)}`);
    expect([...unused]).toEqual([]);
  });
});
