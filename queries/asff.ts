// A credlake finding as an AWS Security Finding Format (ASFF) finding, for Security Hub. Pure.
//
// With the default product (`product/<account>/default`) Security Hub takes findings only for the
// calling account, so every finding is imported into the account that runs credlake (the
// security or delegated administrator account): `AwsAccountId` is that account, the resource is
// the IAM user (or the account) in the member account, and the member account, its name, the
// check, the owner and the waiver travel in `ProductFields`.
import {
  BENCHMARKS,
  type BenchmarkId,
  benchmarkControls,
  DEFAULT_BENCHMARK,
  findQuery,
  type Severity,
} from './catalog.ts';
import type { PlainValue } from './values.ts';

export const ASFF_SCHEMA_VERSION = '2018-10-08';

export interface AsffContext {
  /** The account Security Hub is called from, and its region and partition. */
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
  /** When this export runs (ISO instant): every finding's UpdatedAt. */
  readonly now: string;
  /** The benchmark whose control ids the findings name (default DEFAULT_BENCHMARK). */
  readonly benchmark?: BenchmarkId;
}

const LABELS: Record<Severity, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW' };

const text = (v: PlainValue) => (v === null || v === undefined ? '' : String(v));

export function productArn(ctx: AsffContext): string {
  return `arn:${ctx.partition ?? 'aws'}:securityhub:${ctx.region}:${ctx.account}:product/${ctx.account}/default`;
}

/** The finding's ASFF id: its stable key, the same every day, so an import updates it. */
export const asffId = (findingKey: string) => `credlake/${findingKey}`;

/**
 * One row of the findings table (with `first_seen`, the first snapshot it was in) as ASFF.
 * `recordState` ARCHIVED is how a resolved finding is closed.
 */
export function toAsff(
  row: Record<string, PlainValue>,
  ctx: AsffContext,
  recordState: 'ACTIVE' | 'ARCHIVED' = 'ACTIVE',
): Record<string, unknown> & { Id: string; ProductArn: string } {
  const check = findQuery(text(row.check_name));
  if (!check) throw new Error(`unknown check ${text(row.check_name)} in a finding`);
  const partition = ctx.partition ?? 'aws';
  const member = text(row.account_id);
  const userArn = text(row.user_arn);
  const resource = userArn
    ? { Type: 'AwsIamUser', Id: userArn, Partition: partition, Region: ctx.region }
    : { Type: 'AwsAccount', Id: `AWS::::Account:${member}`, Partition: partition, Region: ctx.region };
  const benchmark = ctx.benchmark ?? DEFAULT_BENCHMARK;
  const { controls, securityHub } = benchmarkControls(check, benchmark);
  const cis = BENCHMARKS[benchmark].cis !== null && controls.length > 0;
  const detail = [text(row.user_name), text(row.detail)].filter(Boolean).join(' ');
  const productFields: Record<string, string> = {
    'credlake/account_id': member,
    'credlake/account_name': text(row.account_name),
    'credlake/check': check.name,
    'credlake/benchmark': benchmark,
    'credlake/finding_key': text(row.finding_key),
    'credlake/owner': text(row.owner) || 'unowned',
    'credlake/waiver_status': text(row.waiver_status) || 'open',
  };
  if (text(row.waiver_id)) productFields['credlake/waiver_id'] = text(row.waiver_id);
  const firstSeen = text(row.first_seen) || text(row.dt);
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: asffId(text(row.finding_key)),
    ProductArn: productArn(ctx),
    GeneratorId: `credlake/${check.name}`,
    AwsAccountId: ctx.account,
    Types: [
      cis
        ? 'Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark'
        : 'Software and Configuration Checks/AWS Security Best Practices',
    ],
    CreatedAt: `${firstSeen}T00:00:00.000Z`,
    FirstObservedAt: `${firstSeen}T00:00:00.000Z`,
    UpdatedAt: ctx.now,
    Severity: { Label: LABELS[check.severity ?? 'low'], Original: check.severity ?? 'low' },
    Title: `${check.title}: ${text(row.account_name) || member}${detail ? ` ${detail}` : ''}`.slice(0, 256),
    Description:
      `${check.description} Account ${member}${text(row.account_name) ? ` (${text(row.account_name)})` : ''}${detail ? `, ${detail}` : ''}.`.slice(
        0,
        1024,
      ),
    Resources: [resource],
    Compliance: {
      Status: 'FAILED',
      RelatedRequirements: [
        ...(cis ? controls.map((c) => `${BENCHMARKS[benchmark].title} ${c}`) : []),
        ...securityHub.map((c) => `Security Hub ${c}`),
      ].slice(0, 32),
    },
    ProductFields: productFields,
    RecordState: recordState,
  };
}
