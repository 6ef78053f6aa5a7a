// The data bucket (TLS only, public access blocked, versioned, encrypted as configured, with
// lifecycle rules for raw evidence and Athena results) and its server access log bucket.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  type LifecycleRule,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ATHENA_RESULTS_PREFIX, COLLECTOR_EVIDENCE_ZONES } from '../lake/keys.ts';
import { serviceKeyStatements } from './key-policy.ts';
import { COLLECTOR_ROLE_NAME } from './member-role.ts';
import { DEFAULTS, type Encryption, type EvidenceLock } from './settings.ts';

export { ATHENA_RESULTS_PREFIX };

export interface StorageProps {
  /**
   * How the data bucket, Athena results, the alerts topic and the log groups are encrypted: a new
   * customer managed key (`kms`), the key named by `kmsKeyArn` (`kms-existing`), or S3's own keys.
   * @default 'kms'
   */
  readonly encryption?: Encryption;
  /**
   * The key to use when `encryption` is `kms-existing`; ignored otherwise.
   * @default - none; required with `kms-existing`
   */
  readonly kmsKeyArn?: string;
  /**
   * An existing bucket to use instead of creating one. The construct then creates no bucket,
   * access-log bucket, lifecycle rules or bucket policy: they are the bucket owner's to set.
   * @default - a new bucket
   */
  readonly bucketName?: string;
  /**
   * S3 Object Lock mode on raw evidence, retained for `rawRetentionDays`. Only a bucket created
   * with Object Lock can hold it, so it does not apply to an existing `bucketName`.
   * @default 'governance'
   */
  readonly evidenceLock?: EvidenceLock;
  /**
   * Days raw reports (and every version of them) and the curated data derived from them are kept.
   * @default 2555 (seven years)
   */
  readonly rawRetentionDays?: number;
  /**
   * Days CSV exports and HTML reports are kept.
   * @default 365
   */
  readonly exportsRetentionDays?: number;
  /**
   * Days Athena query results are kept.
   * @default 30
   */
  readonly athenaResultsRetentionDays?: number;
}

/** Object Lock on raw evidence, as the collector writes it. */
export interface EvidenceRetention {
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  readonly days: number;
}

export class Storage extends Construct {
  readonly bucket: IBucket;
  readonly key?: IKey;
  /** The lock raw evidence is written with; undefined when the bucket cannot hold one. */
  readonly evidenceRetention?: EvidenceRetention;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const encryption = props.encryption ?? DEFAULTS.encryption;
    const lock = props.evidenceLock ?? DEFAULTS.evidenceLock;
    const retention = {
      raw: props.rawRetentionDays ?? DEFAULTS.rawRetentionDays,
      exports: props.exportsRetentionDays ?? DEFAULTS.exportsRetentionDays,
      athenaResults: props.athenaResultsRetentionDays ?? DEFAULTS.athenaResultsRetentionDays,
    };
    if (retention.exports > retention.raw)
      throw new Error(
        'Storage: exports must not outlive their evidence (exportsRetentionDays > rawRetentionDays)',
      );
    if (encryption === 'kms') {
      this.key = new Key(this, 'Key', {
        alias: 'alias/credlake',
        description: 'credlake: data bucket, Athena results, SNS topic and logs',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      admitServices(this.key as Key);
    } else if (encryption === 'kms-existing') {
      if (!props.kmsKeyArn) throw new Error("Storage: encryption 'kms-existing' needs kmsKeyArn");
      this.key = Key.fromKeyArn(this, 'Key', props.kmsKeyArn);
    }
    if (props.bucketName) {
      this.bucket = Bucket.fromBucketAttributes(this, 'Bucket', {
        bucketName: props.bucketName,
        encryptionKey: this.key,
      });
      return;
    }
    const logs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bucket = new Bucket(this, 'Data', {
      encryption: this.key ? BucketEncryption.KMS : BucketEncryption.S3_MANAGED,
      encryptionKey: this.key,
      bucketKeyEnabled: !!this.key,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      // Enabled at creation so the collector can write raw evidence with a retention date; no
      // default retention: derived zones stay rewritable.
      objectLockEnabled: lock !== 'off',
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'data-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: lifecycleRules(retention),
    });
    this.bucket = bucket;
    if (lock !== 'off')
      this.evidenceRetention = {
        mode: lock === 'governance' ? 'GOVERNANCE' : 'COMPLIANCE',
        days: retention.raw,
      };
    // Only the collector writes IAM's answers: reports, quarantined reports and posture records.
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyTheCollectorWritesEvidence',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: COLLECTOR_EVIDENCE_ZONES.map((zone) => bucket.arnForObjects(`${zone}*`)),
        conditions: {
          ArnNotEquals: {
            'aws:PrincipalArn': Stack.of(this).formatArn({
              service: 'iam',
              region: '',
              resource: 'role',
              resourceName: COLLECTOR_ROLE_NAME,
            }),
          },
        },
      }),
    );
  }
}

/**
 * One rule per zone, so no zone is forgotten: raw evidence (and every version of it) is kept for
 * rawRetentionDays; curated data, derived from it, for the same time at most; exports and
 * reports for exportsRetentionDays; Athena results briefly; the lake's lock is only ever current.
 */
function lifecycleRules(days: { raw: number; exports: number; athenaResults: number }): LifecycleRule[] {
  // An object expires as a delete marker over a noncurrent version; the version goes a day later
  // and the marker with it, so nothing stays past its days plus one (Object Lock keeps evidence
  // versions undeletable until their retention date, which is the same day count).
  const zone = (id: string, prefix: string, zoneDays: number): LifecycleRule => ({
    id,
    prefix,
    expiration: Duration.days(zoneDays),
    noncurrentVersionExpiration: Duration.days(1),
  });
  return [
    zone('raw-evidence', 'raw/', days.raw),
    zone('curated', 'curated/', days.raw),
    zone('exports', 'exports/', days.exports),
    zone('reports', 'reports/', days.exports),
    zone('athena-results', ATHENA_RESULTS_PREFIX, days.athenaResults),
    { id: 'lock', prefix: 'locks/', noncurrentVersionExpiration: Duration.days(1) },
    // A delete marker with no version left behind it is removed, in every zone.
    { id: 'expired-delete-markers', expiredObjectDeleteMarker: true },
    { id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
  ];
}

/** The services that encrypt with the key on their own behalf, admitted by its key policy (key-policy.ts). */
function admitServices(key: Key): void {
  const stack = Stack.of(key);
  const place = {
    partition: stack.partition,
    region: stack.region,
    account: stack.account,
    urlSuffix: stack.urlSuffix,
  };
  for (const statement of serviceKeyStatements(place))
    key.addToResourcePolicy(PolicyStatement.fromJson(statement));
}
