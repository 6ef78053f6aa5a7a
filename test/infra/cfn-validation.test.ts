// Every deployment setting's templates pass CloudFormation's resource schemas, checked by the
// validator aws-cdk-lib runs at synth (cfn-lint's rules, in WebAssembly). cdk.json turns its
// findings into errors, so `cdk synth` stops on a template CloudFormation would refuse. The other
// test files synthesize without it (test/helpers/cdk-app.ts); this one runs it on each setting.
import { readFileSync } from 'node:fs';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { SETTINGS_DOC } from '../../infra/settings.ts';
import { cdkJson, testApp } from '../helpers/cdk-app.ts';

/**
 * Apps that between them give every documented setting a value other than its default, grouped
 * so each group is a valid deployment.
 */
const SETTINGS: Record<string, Record<string, unknown>> = {
  defaults: {},
  'deployed from the management account': {
    deployFrom: 'management',
    toolingAccountId: cdkJson.context.managementAccountId,
    memberRoleName: 'AuditReader',
    memberOuIds: 'ou-exam-11111111,ou-exam-22222222',
  },
  'an existing bucket, S3-managed encryption, no lock, no posture, no digest': {
    encryption: 's3-managed',
    bucketName: 'my-existing-lake',
    evidenceLock: 'off',
    collectPosture: false,
    digest: 'off',
  },
  'an existing key, compliance lock, Security Hub, owners and an external id': {
    encryption: 'kms-existing',
    kmsKeyArn: 'arn:aws:kms:us-east-1:222222222222:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    evidenceLock: 'compliance',
    externalId: 'credlake-7f3a',
    notificationEmail: 'secops@example.com',
    securityHub: true,
    digest: 'always',
    digestByOwner: true,
    ownerTags: 'team,cost-center',
    benchmark: 'cis-3.0',
  },
  'GovCloud, a larger map, scoped accounts, other retentions and limits': {
    region: 'us-gov-west-1',
    concurrency: 400,
    scheduleHourUtc: 23,
    reportTimeoutSeconds: 600,
    includeAccountIds: '333333333333,444444444444',
    excludeAccountIds: '444444444444',
    includeOuIds: 'ou-exam-11111111',
    logRetentionDays: 30,
    rawRetentionDays: 400,
    exportsRetentionDays: 90,
    athenaResultsRetentionDays: 7,
    bytesScannedCutoffMb: 1024,
    tags: JSON.stringify({ costCenter: 'security' }),
    lookupDeployedStack: false,
  },
  QuickSight: {
    quicksight: JSON.stringify({
      enabled: true,
      principalArn: 'arn:aws:quicksight:us-east-1:222222222222:user/default/analyst',
      namespace: 'default',
    }),
  },
};

/** Synthesizes the app; what it threw, if anything. */
function synthFailure(built: ReturnType<typeof testApp>): unknown {
  try {
    built.app.synth();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The violations the validator found, read from the report synth names when it fails. */
function violationsOf(error: unknown): string[] {
  const path = /can be found in: (\S+\.json)/.exec(String((error as Error).message))?.[1];
  if (!path) throw error;
  const report = JSON.parse(readFileSync(path, 'utf8')) as {
    pluginReports: { violations: { ruleName: string; description: string }[] }[];
  };
  return report.pluginReports.flatMap((r) => r.violations.map((v) => `${v.ruleName} ${v.description}`));
}

describe("CloudFormation's schemas, as synth checks them", () => {
  it('turns a finding into an error in cdk.json, so synth stops on it', () => {
    expect(cdkJson.context['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
  });

  for (const [name, context] of Object.entries(SETTINGS))
    it(`passes every stack: ${name}`, () => {
      const built = testApp(context, { validate: true });
      const failure = synthFailure(built);
      expect(failure === undefined ? [] : violationsOf(failure)).toEqual([]);
      if (context.quicksight) expect(built.quicksight).toBeDefined();
    });

  it('stops synth on a property CloudFormation does not have (a planted fault)', () => {
    const built = testApp({}, { validate: true });
    const bucket = built.pipeline.node.findAll().find((c) => c instanceof CfnBucket) as CfnBucket;
    bucket.addPropertyOverride('NoSuchProperty', 1);
    const failure = synthFailure(built);
    expect(String(failure)).toMatch(/ValidationFailed/);
    expect(violationsOf(failure)).toEqual([expect.stringContaining("'NoSuchProperty' was unexpected")]);
  });

  it('gives every setting of docs/deploy.md a value other than its default in some app above', () => {
    // SETTINGS_DOC is the settings table of docs/deploy.md (test/docs.test.ts holds them equal).
    const documented = SETTINGS_DOC.map((d) => d.key);
    expect(documented.length).toBeGreaterThan(20);
    // The required settings come from cdk.json's example in every app.
    const given = new Set([...Object.keys(cdkJson.context), ...Object.values(SETTINGS).flatMap(Object.keys)]);
    expect(documented.filter((s) => !given.has(s))).toEqual([]);
  });
});
