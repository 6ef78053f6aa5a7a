// The daily run: EventBridge Scheduler starts a Step Functions state machine that plans, collects
// every account in a Distributed Map (failures tolerated and recorded), finalizes, and exports.
// Nothing that grows with the organization travels inline: the plan's account list is an object
// in the lake that the Map reads with an ItemReader, every child workflow returns `{}`, and
// finalize reads the run's outcomes from the lake.
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventField, type IRuleTarget, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import {
  DefinitionBody,
  DistributedMap,
  Errors,
  JitterType,
  JsonPath,
  LogLevel,
  Pass,
  ResultWriterV2,
  S3JsonItemReader,
  StateMachine,
  StateMachineType,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledge, logicalId } from './nag.ts';
import { DEFAULTS } from './settings.ts';

export interface OrchestrationProps {
  /**
   * Encrypts the state machine's log group and the data it passes through the lake.
   * @default - AWS managed keys
   */
  readonly key?: IKey;
  /** The lake: the Map reads the plan's account list from it and writes its results there. */
  readonly bucket: IBucket;
  /** Where failed runs and a schedule that could not start are announced. */
  readonly topic: ITopic;
  /** Plans the run: lists the accounts and writes them to the lake. */
  readonly plan: IFunction;
  /** Collects one account (one child workflow of the Distributed Map). */
  readonly collect: IFunction;
  /** Records the outcome of an account whose collect invocation ended in an error. */
  readonly recordFailure: IFunction;
  /** Curates the run's day tables and sends the run summary. */
  readonly finalize: IFunction;
  /** Writes the derived tables and exports, and sends the digest. */
  readonly exports: IFunction;
  /**
   * Accounts collected at once by the Distributed Map.
   * @default 20
   */
  readonly concurrency?: number;
  /**
   * Retention of the state machine's log group, in days (one of CloudWatch Logs' values).
   * @default 365
   */
  readonly logRetentionDays?: number;
  /**
   * Hour of the daily run, UTC.
   * @default 5
   */
  readonly scheduleHourUtc?: number;
}

/**
 * Errors of the Lambda service itself (not of our code): throttled invocations, service faults,
 * a function that could not start in time. Retried with backoff; Step Functions reports them
 * under these names when it invokes a function by ARN.
 */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.EC2ThrottledException',
] as const;

export class Orchestration extends Construct {
  readonly stateMachine: StateMachine;
  readonly schedule: Schedule;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: OrchestrationProps) {
    super(scope, id);
    const invoke = (
      name: string,
      fn: IFunction,
      options: Partial<ConstructorParameters<typeof LambdaInvoke>[2]> = {},
    ) => {
      const task = new LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        // The function's own timeout ends a stuck invocation first; this bounds the wait for it.
        taskTimeout: Timeout.duration(Duration.seconds(fnTimeoutSeconds(fn) + 60)),
        ...options,
      });
      task.addRetry({
        errors: [...LAMBDA_SERVICE_ERRORS],
        interval: Duration.seconds(2),
        maxAttempts: 6,
        backoffRate: 2,
        jitterStrategy: JitterType.FULL,
      });
      return task;
    };
    const start = new Pass(this, 'Start', {
      parameters: { 'dt.$': "States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)" },
    });
    const plan = invoke('Plan', props.plan, {
      payload: TaskInput.fromObject({ dt: JsonPath.stringAt('$.dt') }),
      resultPath: '$.plan',
    });
    // Inside a child workflow only the item is in view (no $$.Map): the catch keeps it beside
    // the error, and the failure is journaled as the account's outcome.
    const collect = invoke('CollectAccount', props.collect, {
      inputPath: '$.item',
      resultPath: JsonPath.DISCARD,
      outputPath: JsonPath.DISCARD,
    });
    const recordFailure = invoke('RecordFailure', props.recordFailure, {
      payload: TaskInput.fromObject({
        'item.$': '$.item',
        'error.$': '$.error',
      }),
      resultPath: JsonPath.DISCARD,
      outputPath: JsonPath.DISCARD,
    });
    collect.addCatch(recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
    const map = new DistributedMap(this, 'CollectAccounts', {
      itemReader: new S3JsonItemReader({ bucket: props.bucket, key: JsonPath.stringAt('$.plan.itemsKey') }),
      // The item as the child's input, and under `item` for the catch to keep.
      itemSelector: { 'item.$': '$$.Map.Item.Value' },
      maxConcurrency: props.concurrency ?? DEFAULTS.concurrency,
      toleratedFailurePercentage: 100,
      mapExecutionType: StateMachineType.STANDARD,
      // The children's results go to the lake, so the Map's own output stays the same size
      // whatever the number of accounts (inline, it would grow by a few bytes per account).
      resultWriterV2: new ResultWriterV2({
        bucket: props.bucket,
        prefix: JsonPath.stringAt('$.plan.resultsPrefix'),
      }),
      resultPath: JsonPath.DISCARD,
    });
    map.itemProcessor(collect);
    const finalize = invoke('Finalize', props.finalize, {
      payload: TaskInput.fromObject({
        'runId.$': '$.plan.runId',
        'dt.$': '$.plan.dt',
        'startedAt.$': '$.plan.startedAt',
        'itemsKey.$': '$.plan.itemsKey',
      }),
      resultSelector: {
        'runId.$': '$.runId',
        'collected.$': '$.collected',
        'failed.$': '$.failed',
        'skipped.$': '$.skipped',
        'lost.$': '$.lost',
        'manifestKey.$': '$.manifestKey',
      },
      resultPath: '$.summary',
    });
    const exports = invoke('Exports', props.exports, {
      payload: TaskInput.fromObject({ 'dt.$': '$.plan.dt' }),
      resultSelector: {
        'queries.$': 'States.ArrayLength($.queries)',
        'digest.$': '$.digest',
        'securityHub.$': '$.securityHub',
      },
      resultPath: '$.exports',
    });
    // No fixed name: a destroyed stack's retained log group never blocks the next deploy.
    const logs = new LogGroup(this, 'StateMachineLogs', {
      retention: (props.logRetentionDays ?? DEFAULTS.logRetentionDays) as RetentionDays,
      encryptionKey: props.key,
    });
    this.stateMachine = new StateMachine(this, 'Run', {
      stateMachineName: 'credlake-run',
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(start.next(plan).next(map).next(finalize).next(exports)),
      timeout: Duration.hours(6),
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
    });
    props.key?.grant(this.stateMachine, 'kms:Decrypt', 'kms:GenerateDataKey');
    acknowledge(this.stateMachine, {
      ...Object.fromEntries(
        [props.plan, props.collect, props.recordFailure, props.finalize, props.exports].map((f) => [
          `AwsSolutions-IAM5[Resource::<${logicalId(f)}.Arn>:*]`,
          'Step Functions invokes the function by qualified ARN (version or alias), as LambdaInvoke grants it',
        ]),
      ),
      'AwsSolutions-IAM5[Resource::*]':
        'X-Ray tracing and CloudWatch Logs delivery actions take no resource-level permissions',
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${Stack.of(this).region}:${Stack.of(this).account}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalId(this.stateMachine)}"}]}]}/*:*]`]:
        'The Distributed Map manages its own child executions of this state machine, named at run time',
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${Stack.of(this).region}:${Stack.of(this).account}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalId(this.stateMachine)}"}]}]}:*]`]:
        'The Distributed Map describes and stops the executions of this state machine, named at run time',
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${props.bucket.node.defaultChild ? `<${logicalId(props.bucket)}>` : props.bucket.bucketName}/*]`]:
        "The Distributed Map reads the plan's account list and writes its children's results under keys chosen per run",
    });
    this.alertOnFailedRuns(props.topic);
    this.deadLetterQueue = new Queue(this, 'ScheduleDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, {
      'AwsSolutions-SQS3': 'This queue is itself the dead-letter queue of the daily schedule',
    });
    const scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    this.schedule = new Schedule(this, 'Daily', {
      scheduleName: 'credlake-daily',
      description: 'Starts the daily credlake run',
      schedule: ScheduleExpression.cron({
        minute: '0',
        hour: String(props.scheduleHourUtc ?? DEFAULTS.scheduleHourUtc),
      }),
      target: new StepFunctionsStartExecution(this.stateMachine, {
        role: scheduleRole,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
      }),
    });
    // A start the scheduler gave up on lands in the queue: say so on the run topic.
    new Alarm(this, 'ScheduleFailedAlarm', {
      alarmDescription: 'credlake: the daily schedule could not start the run (see the dead-letter queue)',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(props.topic));
  }

  /**
   * A failed, timed-out or aborted execution reaches the run topic, with its execution ARN. The
   * target is bound by hand: CDK's SnsTopic target would admit every EventBridge rule of every
   * account to the topic and the key; the topic admits this rule alone (aws:SourceArn), and the
   * key admits EventBridge for this account's topic (storage.ts).
   */
  private alertOnFailedRuns(topic: ITopic): void {
    const message = RuleTargetInput.fromText(
      `credlake run ${EventField.fromPath('$.detail.name')} ended ${EventField.fromPath('$.detail.status')}: no run record or exports for that day may exist. Execution: ${EventField.fromPath('$.detail.executionArn')}`,
    );
    const toTopic: IRuleTarget = { bind: () => ({ arn: topic.topicArn, input: message }) };
    const rule = new Rule(this, 'RunFailedRule', {
      description: 'credlake: a run ended without finishing',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [this.stateMachine.stateMachineArn],
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
      targets: [toTopic],
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'RunFailedRulePublishes',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': rule.ruleArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );
  }
}

function fnTimeoutSeconds(fn: IFunction): number {
  const timeout = (fn as { timeout?: Duration }).timeout;
  return timeout ? timeout.toSeconds() : 900;
}
