// The daily run: EventBridge Scheduler starts a Step Functions state machine that plans, collects
// every account in a Distributed Map (failures tolerated and recorded), finalizes, and exports.
import { Duration, Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import {
  DefinitionBody,
  DistributedMap,
  JsonPath,
  LogLevel,
  Pass,
  StateMachine,
  StateMachineType,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledge, logicalId } from './nag.ts';
import type { Settings } from './settings.ts';

export interface OrchestrationProps {
  readonly settings: Settings;
  readonly key?: IKey;
  readonly plan: IFunction;
  readonly collect: IFunction;
  readonly finalize: IFunction;
  readonly exports: IFunction;
}

export class Orchestration extends Construct {
  readonly stateMachine: StateMachine;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: OrchestrationProps) {
    super(scope, id);
    const { settings } = props;
    const plan = new LambdaInvoke(this, 'Plan', {
      lambdaFunction: props.plan,
      payload: TaskInput.fromObject({ dt: JsonPath.stringAt('$.dt') }),
      payloadResponseOnly: true,
      resultPath: '$.plan',
      retryOnServiceExceptions: true,
    });
    const collect = new LambdaInvoke(this, 'CollectAccount', {
      lambdaFunction: props.collect,
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
      // Only what finalize needs: the full outcome is journaled in the lake.
      resultSelector: { 'accountId.$': '$.accountId', 'status.$': '$.status', 'reason.$': '$.reason' },
    });
    collect.addCatch(
      new Pass(this, 'RecordLambdaFailure', {
        parameters: {
          'accountId.$': '$$.Map.Item.Value.accountId',
          'Error.$': '$.Error',
          'Cause.$': '$.Cause',
        },
      }),
    );
    const map = new DistributedMap(this, 'CollectAccounts', {
      itemsPath: JsonPath.stringAt('$.plan.items'),
      maxConcurrency: settings.concurrency,
      toleratedFailurePercentage: 100,
      resultPath: '$.results',
    });
    map.itemProcessor(collect);
    const finalize = new LambdaInvoke(this, 'Finalize', {
      lambdaFunction: props.finalize,
      payload: TaskInput.fromObject({
        'runId.$': '$.plan.runId',
        'dt.$': '$.plan.dt',
        'startedAt.$': '$.plan.startedAt',
        'results.$': '$.results',
      }),
      payloadResponseOnly: true,
      resultPath: '$.summary',
      retryOnServiceExceptions: true,
    });
    const exports = new LambdaInvoke(this, 'Exports', {
      lambdaFunction: props.exports,
      payload: TaskInput.fromObject({ 'dt.$': '$.plan.dt' }),
      payloadResponseOnly: true,
      resultPath: '$.exports',
      retryOnServiceExceptions: true,
    });
    const start = new Pass(this, 'Start', {
      parameters: { 'dt.$': "States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)" },
    });
    const logs = new LogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/credlake-${Stack.of(this).stackName}`,
      retention: settings.logRetentionDays as RetentionDays,
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
    acknowledge(this.stateMachine, {
      ...Object.fromEntries(
        [props.plan, props.collect, props.finalize, props.exports].map((f) => [
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
    });
    this.schedule = new Schedule(this, 'Daily', {
      scheduleName: 'credlake-daily',
      description: 'Starts the daily credlake run',
      schedule: ScheduleExpression.cron({ minute: '0', hour: String(settings.scheduleHourUtc) }),
      target: new StepFunctionsStartExecution(this.stateMachine, {}),
    });
  }
}
