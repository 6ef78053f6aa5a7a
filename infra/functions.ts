// The Lambda functions of the pipeline, each with its own role granting exactly what it calls on
// exactly which resources: the props, and the construct that builds the specs
// (infra/function-specs.ts) with the least-privilege factory (infra/least-privilege-function.ts).
import { Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { BenchmarkId } from '../queries/catalog.ts';
import { pipelineFunctionSpecs } from './function-specs.ts';
import { type FunctionSpec, leastPrivilegeFunction } from './least-privilege-function.ts';
import type { MemberAccessProps } from './member-role.ts';
import type { DigestMode } from './settings.ts';
import type { EvidenceRetention } from './storage.ts';

/** What the collector collects, and through which member role. */
export interface CollectionProps extends MemberAccessProps {
  /**
   * Per-account deadline for credential report generation, in seconds. The collect function's
   * timeout is a minute longer.
   * @default 300
   */
  readonly reportTimeoutSeconds?: number;
  /**
   * Collect only these accounts; the others are recorded as excluded.
   * @default - every account
   */
  readonly includeAccountIds?: string[];
  /**
   * Accounts never collected, recorded as excluded.
   * @default - none
   */
  readonly excludeAccountIds?: string[];
  /**
   * Collect only accounts under these roots or OUs, nested OUs included.
   * @default - every account
   */
  readonly includeOuIds?: string[];
}

export interface FunctionsProps {
  /** The lake. */
  readonly bucket: IBucket;
  /**
   * The key of the bucket, the topic and the log groups: every function may use it.
   * @default - AWS managed keys
   */
  readonly key?: IKey;
  /** The run summary and digest topic. */
  readonly topic: ITopic;
  /** Athena named query ids by catalog name, for the exports function. */
  readonly namedQueryIds: Record<string, string>;
  readonly collection: CollectionProps;
  /**
   * The Object Lock raw evidence is written with (`Storage.evidenceRetention`).
   * @default - raw evidence is written without a retention date
   */
  readonly evidenceRetention?: EvidenceRetention;
  /**
   * When the exports function publishes the digest of what changed.
   * @default 'changes'
   */
  readonly digest?: DigestMode;
  /**
   * Tag keys naming a finding's owner, first found wins.
   * @default ['owner', 'team']
   */
  readonly ownerTags?: readonly string[];
  /**
   * Also publish each owner's part of the digest (message attribute `owner`).
   * @default false
   */
  readonly digestByOwner?: boolean;
  /**
   * Import each day's findings into Security Hub (the pipeline's account and region).
   * @default false
   */
  readonly securityHub?: boolean;
  /**
   * The benchmark the rollup judges by and the exports are labelled with.
   * @default 'cis-5.0'
   */
  readonly benchmark?: BenchmarkId;
  /**
   * Retention of the functions' log groups, in days (one of CloudWatch Logs' values).
   * @default 365
   */
  readonly logRetentionDays?: number;
}

export class Functions extends Construct {
  readonly plan: IFunction;
  readonly collect: IFunction;
  readonly recordFailure: IFunction;
  readonly finalize: IFunction;
  readonly exports: IFunction;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const specs = pipelineFunctionSpecs(Stack.of(this), props);
    const build = (spec: FunctionSpec) =>
      leastPrivilegeFunction(this, spec, { key: props.key, logRetentionDays: props.logRetentionDays });
    this.plan = build(specs.plan);
    this.collect = build(specs.collect);
    this.recordFailure = build(specs.recordFailure);
    this.finalize = build(specs.finalize);
    this.exports = build(specs.exports);
  }
}
