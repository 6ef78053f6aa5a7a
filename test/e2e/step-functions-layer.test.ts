// The thin layer over aws-local-stepfunctions, held to the service's documented semantics:
// the Map context exists only in ItemSelector, States.ALL catches neither States.Runtime nor
// States.DataLimitExceeded, a Distributed Map fails past its tolerated failures, every payload
// is capped at 256 KiB, Lambda service errors are retried, and timeouts end tasks.
import { describe, expect, it } from 'vitest';
import {
  type AslDefinition,
  type LambdaFunction,
  PAYLOAD_LIMIT_BYTES,
  runStateMachine,
} from '../helpers/step-functions.ts';

const FN = 'arn:aws:lambda:us-east-1:222222222222:function:Work';
const lambda = (handler: (event: unknown) => Promise<unknown>, timeoutSeconds = 30) =>
  new Map<string, LambdaFunction>([[FN, { handler, timeoutSeconds }]]);

const distributedMap = (processor: AslDefinition['States'], extra: Record<string, unknown> = {}) =>
  ({
    StartAt: 'Map',
    States: {
      Map: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: Object.keys(processor)[0],
          States: processor,
        },
        End: true,
        ...extra,
      },
    },
  }) as AslDefinition;

describe('the Map context', () => {
  it('exists in ItemSelector', async () => {
    const report = await runStateMachine(
      distributedMap(
        { Echo: { Type: 'Pass', End: true } },
        { ItemSelector: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value' } },
      ),
      { items: ['a', 'b'] },
      { lambdas: new Map() },
    );
    expect(report.status).toBe('SUCCEEDED');
    expect(report.output).toEqual([
      { index: 0, value: 'a' },
      { index: 1, value: 'b' },
    ]);
  });

  it('does not exist inside a child workflow, and States.ALL does not catch the States.Runtime error', async () => {
    const report = await runStateMachine(
      distributedMap(
        {
          Work: {
            Type: 'Task',
            Resource: FN,
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Record' }],
            End: true,
          },
          Record: { Type: 'Pass', Parameters: { 'accountId.$': '$$.Map.Item.Value.accountId' }, End: true },
        },
        { ToleratedFailurePercentage: 100 },
      ),
      { items: [{ accountId: '1' }] },
      {
        lambdas: lambda(async () => {
          throw new Error('boom');
        }),
      },
    );
    // The Map tolerates the failed child, but the child's Catch could not record anything.
    expect(report.status).toBe('SUCCEEDED');
    expect(report.output).toEqual([{ Error: 'States.Runtime', Cause: expect.stringContaining('$$.Map') }]);
  });
});

describe('Distributed Map failure tolerance', () => {
  const failing = (bad: Set<number>) =>
    lambda(async (event) => {
      if (bad.has((event as { n: number }).n)) throw Object.assign(new Error('no'), { name: 'AccountError' });
      return { ok: (event as { n: number }).n };
    });
  const items = { items: [0, 1, 2, 3].map((n) => ({ n })) };
  const work = { Work: { Type: 'Task', Resource: FN, End: true } };

  it('fails with States.ExceedToleratedFailureThreshold when none is tolerated (the default)', async () => {
    const report = await runStateMachine(distributedMap(work), items, { lambdas: failing(new Set([2])) });
    expect(report.error?.Error).toBe('States.ExceedToleratedFailureThreshold');
  });

  it('succeeds at the tolerated percentage and fails above it', async () => {
    const at = await runStateMachine(distributedMap(work, { ToleratedFailurePercentage: 25 }), items, {
      lambdas: failing(new Set([2])),
    });
    expect(at.status).toBe('SUCCEEDED');
    const above = await runStateMachine(distributedMap(work, { ToleratedFailurePercentage: 25 }), items, {
      lambdas: failing(new Set([1, 2])),
    });
    expect(above.error?.Error).toBe('States.ExceedToleratedFailureThreshold');
  });

  it('applies ToleratedFailureCount', async () => {
    const report = await runStateMachine(distributedMap(work, { ToleratedFailureCount: 1 }), items, {
      lambdas: failing(new Set([0, 3])),
    });
    expect(report.error?.Error).toBe('States.ExceedToleratedFailureThreshold');
  });
});

describe('the 256 KiB payload quota', () => {
  const big = 'x'.repeat(PAYLOAD_LIMIT_BYTES);

  it('fails a task whose result is over the quota, and States.ALL does not catch it', async () => {
    const report = await runStateMachine(
      {
        StartAt: 'Work',
        States: {
          Work: {
            Type: 'Task',
            Resource: FN,
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Pass', End: true },
        },
      },
      {},
      { lambdas: lambda(async () => ({ big })) },
    );
    expect(report.status).toBe('FAILED');
    expect(report.error?.Error).toBe('States.DataLimitExceeded');
    expect(report.error?.Cause).toContain('Work');
  });

  it('fails a state whose output is over the quota, and a Distributed Map whose results are', async () => {
    const pass = await runStateMachine(
      { StartAt: 'Grow', States: { Grow: { Type: 'Pass', Result: big, End: true } } },
      {},
      { lambdas: new Map() },
    );
    expect(pass.error?.Error).toBe('States.DataLimitExceeded');
    const map = await runStateMachine(
      distributedMap({ Echo: { Type: 'Pass', End: true } }),
      {
        items: Array.from({ length: 3000 }, (_, i) => ({
          accountId: String(i).padStart(12, '0'),
          pad: 'y'.repeat(60),
        })),
      },
      { lambdas: new Map() },
    );
    expect(map.error?.Error).toBe('States.DataLimitExceeded');
  });

  it('reports the largest payload of a run that stays under the quota', async () => {
    const report = await runStateMachine(
      { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: FN, End: true } } },
      { a: 1 },
      { lambdas: lambda(async () => ({ small: 'z'.repeat(1000) })) },
    );
    expect(report.status).toBe('SUCCEEDED');
    expect(report.largestPayload.bytes).toBeGreaterThan(1000);
    expect(report.largestPayload.bytes).toBeLessThan(1100);
  });
});

describe("a function's memory", () => {
  const task = {
    StartAt: 'Work',
    States: { Work: { Type: 'Task', Resource: FN, End: true } },
  } as AslDefinition;
  /** A handler that holds 64 MiB for 100 ms, then lets it go. */
  const holding = lambda(async () => {
    const held = Buffer.alloc(64 * 1024 * 1024, 1);
    await new Promise((r) => setTimeout(r, 100));
    return { bytes: held.length };
  });

  it('is sampled when asked: the growth of one invocation, what it held included', async () => {
    const report = await runStateMachine(task, {}, { lambdas: holding, sampleMemory: true });
    expect(report.status).toBe('SUCCEEDED');
    expect(report.lambdaPeakBytes.get(FN)).toBeGreaterThanOrEqual(64 * 1024 * 1024);
  });

  it('is not sampled otherwise', async () => {
    const report = await runStateMachine(task, {}, { lambdas: holding });
    expect(report.status).toBe('SUCCEEDED');
    expect(report.lambdaPeakBytes.size).toBe(0);
  });
});

describe('Lambda tasks', () => {
  const retrying = {
    StartAt: 'Work',
    States: {
      Work: {
        Type: 'Task',
        Resource: FN,
        Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], MaxAttempts: 3, IntervalSeconds: 2 }],
        End: true,
      },
    },
  };

  it('retries a throttled invocation (Lambda.TooManyRequestsException) and then succeeds', async () => {
    const report = await runStateMachine(
      retrying,
      {},
      {
        lambdas: lambda(async () => ({ done: true })),
        lambdaFault: (_, __, n) => (n === 1 ? 'Lambda.TooManyRequestsException' : undefined),
        retryDelayMs: 5,
      },
    );
    expect(report.status).toBe('SUCCEEDED');
    expect(report.invocations.get(FN)).toBe(2);
  });

  it("reports a handler's error under its error type, which a Retry for service errors does not match", async () => {
    const report = await runStateMachine(
      retrying,
      {},
      {
        lambdas: lambda(async () => {
          throw Object.assign(new Error('bad input'), { name: 'ConfigError' });
        }),
        retryDelayMs: 5,
      },
    );
    expect(report.error).toEqual({
      Error: 'ConfigError',
      Cause: JSON.stringify({ errorType: 'ConfigError', errorMessage: 'bad input' }),
    });
    expect(report.invocations.get(FN)).toBe(1);
  });

  it('ends a task at its TimeoutSeconds (States.Timeout) and a function at its own timeout (Sandbox.Timedout)', async () => {
    const slow = lambda(() => new Promise((resolve) => setTimeout(() => resolve({}), 2500)), 2);
    const task = await runStateMachine(
      { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: FN, TimeoutSeconds: 1, End: true } } },
      {},
      { lambdas: slow },
    );
    expect(task.error?.Error).toBe('States.Timeout');
    const fn = await runStateMachine(
      { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: FN, End: true } } },
      {},
      { lambdas: slow },
    );
    expect(fn.error?.Error).toBe('Sandbox.Timedout');
  });
});

describe('definitions', () => {
  it('refuses a payload template that is not an object, as Step Functions does', async () => {
    await expect(
      runStateMachine(
        distributedMap({ Work: { Type: 'Task', Resource: FN, Parameters: '$.item', End: true } }),
        { items: [] },
        { lambdas: new Map() },
      ),
    ).rejects.toThrow(/SCHEMA_VALIDATION_FAILED: Map\/Work.Parameters must be a JSON object/);
  });
});
