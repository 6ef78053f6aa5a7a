// The pipeline, in the tooling account: storage, Glue and Athena, functions, orchestration, notices.
import { ArnFormat, Stack, type StackProps } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { RAW_ZONES } from '../lake/keys.ts';
import { AthenaGlue } from './athena-glue.ts';
import { Functions } from './functions.ts';
import { recordEvidenceLock } from './lock-record.ts';
import { Orchestration } from './orchestration.ts';
import type { Settings } from './settings.ts';
import { Storage } from './storage.ts';

export class PipelineStack extends Stack {
  readonly storage: Storage;
  readonly athenaGlue: AthenaGlue;
  readonly functions: Functions;
  readonly orchestration: Orchestration;
  readonly topic: Topic;

  constructor(scope: Construct, id: string, settings: Settings, props?: StackProps) {
    super(scope, id, props);
    this.storage = new Storage(this, 'Storage', {
      encryption: settings.encryption,
      kmsKeyArn: settings.kmsKeyArn,
      bucketName: settings.bucketName,
      evidenceLock: settings.evidenceLock,
      rawRetentionDays: settings.rawRetentionDays,
      exportsRetentionDays: settings.exportsRetentionDays,
      athenaResultsRetentionDays: settings.athenaResultsRetentionDays,
    });
    // A stack that owns its bucket records the lock it was created with, and keeps it.
    if (!settings.bucketName) recordEvidenceLock(this, settings.evidenceLock, settings.lookupDeployedStack);
    // The construct id stays 'Catalog': renaming it would replace the database, tables and named queries.
    this.athenaGlue = new AthenaGlue(this, 'Catalog', {
      bucket: this.storage.bucket,
      key: this.storage.key,
      bytesScannedCutoffMb: settings.bytesScannedCutoffMb,
      benchmark: settings.benchmark,
    });
    this.topic = new Topic(this, 'RunSummary', {
      topicName: 'credlake-run-summary',
      displayName: 'credlake run summary',
      masterKey: this.storage.key,
      enforceSSL: true,
    });
    // enforceSSL writes a topic policy, and a service may then publish only if it admits it: the
    // EventBridge rule's target adds its own statement; the schedule's dead-letter alarm needs one.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
          StringEquals: { 'aws:SourceAccount': this.account },
        },
      }),
    );
    if (settings.notificationEmail)
      this.topic.addSubscription(new EmailSubscription(settings.notificationEmail));
    this.functions = new Functions(this, 'Functions', {
      bucket: this.storage.bucket,
      key: this.storage.key,
      topic: this.topic,
      collection: {
        organizationId: settings.organizationId,
        memberRoleName: settings.memberRoleName,
        externalId: settings.externalId,
        collectPosture: settings.collectPosture,
        reportTimeoutSeconds: settings.reportTimeoutSeconds,
        includeAccountIds: settings.includeAccountIds,
        excludeAccountIds: settings.excludeAccountIds,
        includeOuIds: settings.includeOuIds,
      },
      evidenceRetention: this.storage.evidenceRetention,
      digest: settings.digest,
      ownerTags: settings.ownerTags,
      digestByOwner: settings.digestByOwner,
      securityHub: settings.securityHub,
      benchmark: settings.benchmark,
      logRetentionDays: settings.logRetentionDays,
      namedQueryIds: Object.fromEntries(
        Object.entries(this.athenaGlue.namedQueries).map(([name, q]) => [name, q.attrNamedQueryId]),
      ),
    });
    this.orchestration = new Orchestration(this, 'Orchestration', {
      concurrency: settings.concurrency,
      logRetentionDays: settings.logRetentionDays,
      scheduleHourUtc: settings.scheduleHourUtc,
      key: this.storage.key,
      bucket: this.storage.bucket,
      topic: this.topic,
      plan: this.functions.plan,
      collect: this.functions.collect,
      recordFailure: this.functions.recordFailure,
      finalize: this.functions.finalize,
      exports: this.functions.exports,
    });
    this.onlyThePipelineWritesRunRecords();
  }

  /**
   * `credlake verify` trusts the organization snapshots and the run records (plans, outcomes,
   * manifests) as much as the reports: only the roles that write them may, however broad another
   * principal's own permissions (an administrator of this account included). The reports,
   * quarantine and posture zones are the collector's alone (Storage says so).
   */
  private onlyThePipelineWritesRunRecords(): void {
    const writers = [
      this.functions.plan,
      this.functions.collect,
      this.functions.recordFailure,
      this.functions.finalize,
    ].map((fn) => fn.role!.roleArn);
    this.storage.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyThePipelineWritesRunRecords',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [RAW_ZONES.accounts, RAW_ZONES.runs].map((zone) =>
          this.storage.bucket.arnForObjects(`${zone}*`),
        ),
        // The state machine writes the Distributed Map's results under the run's records too.
        conditions: {
          ArnNotEquals: { 'aws:PrincipalArn': [...writers, this.orchestration.stateMachine.role.roleArn] },
        },
      }),
    );
  }
}
