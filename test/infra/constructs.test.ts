// The constructs on their own: each takes only the props it reads, and an unset prop means the
// same default as the deployment setting of that name, as its TSDoc says.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { AthenaGlue } from '../../infra/athena-glue.ts';
import { MemberRole, POSTURE_ACTIONS, REPORT_ACTIONS } from '../../infra/member-role.ts';
import { DEFAULTS } from '../../infra/settings.ts';
import { Storage } from '../../infra/storage.ts';
import { bareApp } from '../helpers/cdk-app.ts';

const INFRA = join(import.meta.dirname, '..', '..', 'infra');
const stack = () => new Stack(bareApp(), 'Test', { env: { account: '222222222222', region: 'us-east-1' } });

describe('Storage', () => {
  it('with no props: a new KMS key, a bucket with Object Lock and the default retention', () => {
    const s = stack();
    const storage = new Storage(s, 'Storage');
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.hasResourceProperties('AWS::S3::Bucket', { ObjectLockEnabled: true });
    const rules = Object.values(t.findResources('AWS::S3::Bucket'))
      .flatMap((b) => b.Properties.LifecycleConfiguration?.Rules ?? [])
      .filter((r: { Id?: string }) => r.Id === 'raw-evidence' || r.Id === 'athena-results');
    expect(rules.map((r: { Id: string; ExpirationInDays: number }) => [r.Id, r.ExpirationInDays])).toEqual([
      ['raw-evidence', DEFAULTS.rawRetentionDays],
      ['athena-results', DEFAULTS.athenaResultsRetentionDays],
    ]);
    expect(storage.evidenceRetention).toEqual({ mode: 'GOVERNANCE', days: DEFAULTS.rawRetentionDays });
  });

  it('with an existing bucket: creates none, and offers no evidence lock (the bucket has none)', () => {
    const s = stack();
    const storage = new Storage(s, 'Storage', { bucketName: 'their-bucket', encryption: 's3-managed' });
    Template.fromStack(s).resourceCountIs('AWS::S3::Bucket', 0);
    expect(storage.bucket.bucketName).toBe('their-bucket');
    expect(storage.key).toBeUndefined();
    expect(storage.evidenceRetention).toBeUndefined();
  });

  it('refuses props that contradict each other', () => {
    expect(() => new Storage(stack(), 'S', { encryption: 'kms-existing' })).toThrow(/needs kmsKeyArn/);
    expect(() => new Storage(stack(), 'S', { rawRetentionDays: 30, exportsRetentionDays: 31 })).toThrow(
      /must not outlive their evidence/,
    );
  });
});

describe('AthenaGlue', () => {
  it('needs only the bucket; the scan limit defaults to the setting', () => {
    const s = stack();
    new AthenaGlue(s, 'Catalog', { bucket: Bucket.fromBucketName(s, 'B', 'lake') });
    Template.fromStack(s).hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: { BytesScannedCutoffPerQuery: DEFAULTS.bytesScannedCutoffMb * 1024 * 1024 },
    });
  });
});

describe('MemberRole', () => {
  const actionsOf = (t: Template): string[] =>
    Object.values(t.findResources('AWS::IAM::Role'))[0].Properties.Policies[0].PolicyDocument.Statement[0]
      .Action;

  it('needs only the organization and the tooling account; name and posture actions default', () => {
    const s = stack();
    new MemberRole(s, 'Role', { organizationId: 'o-exampleorg1', toolingAccountId: '222222222222' });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::IAM::Role', { RoleName: DEFAULTS.memberRoleName });
    expect(actionsOf(t)).toEqual([...REPORT_ACTIONS, ...POSTURE_ACTIONS]);
  });

  it('without posture, has the two report actions only', () => {
    const s = stack();
    new MemberRole(s, 'Role', {
      organizationId: 'o-exampleorg1',
      toolingAccountId: '222222222222',
      collectPosture: false,
    });
    expect(actionsOf(Template.fromStack(s))).toEqual([...REPORT_ACTIONS]);
  });
});

/** Every optional prop, with the `@default` of the TSDoc just above it, in every infra file. */
function documentedProps(): { file: string; name: string; default?: string }[] {
  const props: { file: string; name: string; default?: string }[] = [];
  for (const file of readdirSync(INFRA).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(INFRA, file), 'utf8');
    for (const m of text.matchAll(/(\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*)?readonly (\w+)\?:/g)) {
      const tag = m[1]?.match(/@default ([^\n]*)/)?.[1].trim();
      props.push({ file, name: m[2], default: tag });
    }
  }
  return props;
}

describe('construct props', () => {
  it('take no Settings: each construct declares the props it reads', () => {
    for (const file of [
      'storage.ts',
      'athena-glue.ts',
      'member-role.ts',
      'functions.ts',
      'function-specs.ts',
      'least-privilege-function.ts',
      'orchestration.ts',
    ]) {
      const text = readFileSync(join(INFRA, file), 'utf8');
      expect(text, file).not.toMatch(/\bSettings\b/);
    }
  });

  it('document, for every prop named after a setting, the default that setting has', () => {
    const props = documentedProps().filter((p) => p.name in DEFAULTS);
    // Storage, AthenaGlue, MemberRole, Functions and Orchestration together read these settings.
    expect(new Set(props.map((p) => p.name)).size).toBeGreaterThanOrEqual(12);
    for (const p of props) {
      const want = DEFAULTS[p.name as keyof typeof DEFAULTS];
      expect(p.default, `${p.file}: ${p.name}`).toBeDefined();
      // A string default is quoted as TypeScript would write it, a list as a TypeScript array;
      // a number or boolean is bare.
      if (Array.isArray(want)) {
        expect(p.default, `${p.file}: ${p.name}`).toBe(`[${want.map((w) => `'${w}'`).join(', ')}]`);
        continue;
      }
      const literal = typeof want === 'string' ? `'${want}'` : String(want);
      expect(p.default?.split(' ')[0], `${p.file}: ${p.name}`).toBe(literal);
    }
  });
});
