// Runs a synthesized state machine in aws-local-stepfunctions, an Amazon States Language engine
// we did not write, with a thin layer for what the package lacks and the service has:
// - Distributed Map: items from an S3 ItemReader (JSON or JSON Lines, read from the S3 server),
//   ItemSelector (the only place `$$.Map` exists), child workflows as separate executions that
//   see no `$$.Map`, MaxConcurrency, ToleratedFailurePercentage/Count ending the Map with
//   States.ExceedToleratedFailureThreshold, the 5-minute limit of EXPRESS children, and a
//   ResultWriter exporting the children's results to S3 (manifest.json, SUCCEEDED_0.json,
//   FAILED_0.json) so the Map's output is only where they are;
// - the 256 KiB quota on every state's output and every task's input and result, reported as
//   States.DataLimitExceeded, which no Catch (States.ALL included) can catch;
// - Lambda tasks bound to the real handlers, crossing the boundary as JSON, with the Lambda
//   service's error names (a handler's error type, Sandbox.Timedout past the function timeout,
//   injected Lambda.* service errors), and AWS's Task default timeout instead of the package's
//   60 seconds.
// Everything else (paths, Parameters, intrinsics, Retry, Catch, Task TimeoutSeconds) is the
// package's own.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ExecutionAbortedError, ExecutionError, StateMachine } from 'aws-local-stepfunctions';

// The package targets Node 22; this is the one API it uses that Node 20 lacks.
const promiseStatics = Promise as unknown as { withResolvers?: unknown };
promiseStatics.withResolvers ??= <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/** Step Functions' quota on a state's input, output and a task's payload: 256 KiB. */
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;
/**
 * A Task without TimeoutSeconds has no practical limit on AWS (99,999,999 s); the package would
 * use 60 s. Node's timers stop at 2^31 ms, so "no practical limit" here is 24 days.
 */
const AWS_TASK_DEFAULT_TIMEOUT_SECONDS = 2_000_000;
const EXPRESS_MAX_SECONDS = 300;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type AslState = Record<string, unknown> & { Type: string };
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
  ProcessorConfig?: { Mode?: string; ExecutionType?: string };
}

export interface LambdaFunction {
  readonly handler: (event: unknown) => Promise<unknown>;
  /** The function's configured timeout: past it Lambda reports Sandbox.Timedout. */
  readonly timeoutSeconds: number;
}

export interface RunOptions {
  /** Lambda functions by the ARN a Task's Resource names. */
  readonly lambdas: Map<string, LambdaFunction>;
  /** Where S3 ItemReaders read from. */
  readonly s3?: S3Client;
  /** A Lambda service error to raise instead of invoking, e.g. `Lambda.TooManyRequestsException`. */
  readonly lambdaFault?: (functionArn: string, payload: unknown, invocation: number) => string | undefined;
  /** Pause before each retry in milliseconds, instead of the definition's IntervalSeconds. */
  readonly retryDelayMs?: number;
  /**
   * Sample the process's memory every 10 ms of each invocation, for lambdaPeakBytes (the bench's
   * figure). Off by default: with hundreds of invocations in flight the samples alone cost
   * seconds of CPU, and no test reads them.
   */
  readonly sampleMemory?: boolean;
}

export interface RunReport {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: { readonly Error: string; readonly Cause: string };
  /** The largest state output or task payload seen anywhere, and where. */
  readonly largestPayload: { readonly bytes: number; readonly state: string };
  /** States entered, child workflows included (what Standard workflows are billed on). */
  readonly transitions: number;
  /** Lambda invocations by function ARN, retries included. */
  readonly invocations: Map<string, number>;
  /** Milliseconds spent in each function's handler, summed over its invocations. */
  readonly lambdaMs: Map<string, number>;
  /** Per function ARN: the most the process's memory grew during one invocation (sampleMemory only). */
  readonly lambdaPeakBytes: Map<string, number>;
  readonly childExecutions: number;
}

/** An error the package treats as terminal: no Retry or Catch matches it. */
export class TerminalStateError extends Error {
  readonly isCatchable = false;
  readonly isRetryable = false;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** An error a Task reports under the given name (a Lambda error type, a Lambda.* service error). */
class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');

/**
 * Samples the process's heap and external memory every 10 ms from now; stop() ends the sampling
 * and says how far the memory grew above where it started.
 */
function watchMemory(): { stop(): number } {
  const now = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const before = now();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, now());
  }, 10);
  return {
    stop: () => {
      clearInterval(sampler);
      return Math.max(peak, now()) - before;
    },
  };
}

class Run {
  largest = { bytes: 0, state: '' };
  transitions = 0;
  childExecutions = 0;
  readonly invocations = new Map<string, number>();
  readonly lambdaMs = new Map<string, number>();
  /**
   * Per function, the most this process's JS heap and external memory grew during one of its
   * invocations (sampled every 10 ms): what the step held, for a step that runs on its own.
   */
  readonly lambdaPeakBytes = new Map<string, number>();

  constructor(readonly options: RunOptions) {}

  /** Records a payload's size; throws States.DataLimitExceeded past the quota. */
  measure(value: unknown, state: string, what: string): void {
    const bytes = bytesOf(value);
    if (bytes > this.largest.bytes) this.largest = { bytes, state };
    if (bytes > PAYLOAD_LIMIT_BYTES) {
      throw new TerminalStateError(
        'States.DataLimitExceeded',
        `the ${what} of state ${state} is ${bytes} bytes, over the ${PAYLOAD_LIMIT_BYTES}-byte quota`,
      );
    }
  }

  /** Runs one execution (the top level or a child) and follows its event log. */
  async execute(definition: AslDefinition, input: unknown, timeoutSeconds?: number): Promise<unknown> {
    const { prepared, handlers, retryStates } = this.prepare(definition);
    const machine = new StateMachine(
      { ...prepared, ...(timeoutSeconds ? { TimeoutSeconds: timeoutSeconds } : {}) } as never,
      { validationOptions: { noValidate: true } },
    );
    this.measure(input, '(execution input)', 'input');
    const execution = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        retryIntervalOverrides:
          this.options.retryDelayMs === undefined
            ? undefined
            : Object.fromEntries(retryStates.map((s) => [s, this.options.retryDelayMs!])),
      },
    });
    // State outputs are checked from the execution's event log; a violation ends the execution.
    let violation: Error | undefined;
    const watching = (async () => {
      for await (const event of execution.eventLogs as AsyncIterable<Record<string, unknown>>) {
        const state = event.state as { name: string; output?: unknown } | undefined;
        if (event.type === 'StateEntered') this.transitions++;
        if (event.type === 'StateExited' && state && !violation) {
          try {
            this.measure(state.output, state.name, 'output');
          } catch (error) {
            violation = error as Error;
            execution.abort();
          }
        }
      }
    })();
    let output: unknown;
    try {
      output = await execution.result;
    } catch (error) {
      await watching.catch(() => undefined);
      if (violation && error instanceof ExecutionAbortedError) throw new ExecutionError(violation as never);
      throw error;
    }
    await watching.catch(() => undefined);
    if (violation) throw new ExecutionError(violation as never);
    return output;
  }

  /** Binds Tasks to local handlers and replaces Distributed Maps with this layer's own. */
  private prepare(definition: AslDefinition) {
    const prepared: AslDefinition = structuredClone(definition);
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    const retryStates: string[] = [];
    for (const [name, state] of Object.entries(prepared.States)) {
      if (state.Retry) retryStates.push(name);
      const processor = state.ItemProcessor as AslDefinition | undefined;
      if (state.Type === 'Map' && processor?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
        const map = { ...state };
        prepared.States[name] = {
          Type: 'Task',
          Resource: 'arn:aws:states:::distributed-map',
          TimeoutSeconds: AWS_TASK_DEFAULT_TIMEOUT_SECONDS,
          ...pick(state, [
            'InputPath',
            'ResultPath',
            'ResultSelector',
            'OutputPath',
            'Next',
            'End',
            'Retry',
            'Catch',
          ]),
        };
        handlers[name] = (input) => this.distributedMap(name, map, input);
      } else if (state.Type === 'Task') {
        state.TimeoutSeconds ??= AWS_TASK_DEFAULT_TIMEOUT_SECONDS;
        const fn = String(state.Resource);
        handlers[name] = (input) => this.invokeLambda(name, fn, input);
      }
    }
    return { prepared, handlers, retryStates };
  }

  private async invokeLambda(state: string, arn: string, payload: unknown): Promise<unknown> {
    const fn = this.options.lambdas.get(arn);
    if (!fn) throw new TaskError('Lambda.ResourceNotFoundException', `no function bound to ${arn}`);
    this.measure(payload, state, 'task input');
    const invocation = (this.invocations.get(arn) ?? 0) + 1;
    this.invocations.set(arn, invocation);
    const fault = this.options.lambdaFault?.(arn, payload, invocation);
    if (fault) throw new TaskError(fault, JSON.stringify({ errorMessage: `injected ${fault}` }));
    // Payloads cross the Lambda boundary as JSON.
    const event = JSON.parse(JSON.stringify(payload ?? null));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TaskError(
              'Sandbox.Timedout',
              JSON.stringify({ errorMessage: `Task timed out after ${fn.timeoutSeconds} seconds` }),
            ),
          ),
        fn.timeoutSeconds * 1000,
      );
    });
    let result: unknown;
    const started = performance.now();
    const memory = this.options.sampleMemory ? watchMemory() : undefined;
    try {
      result = await Promise.race([fn.handler(event), timedOut]);
    } catch (error) {
      if (error instanceof TaskError) throw error;
      const e = error as Error;
      throw new TaskError(
        e.name || 'Error',
        JSON.stringify({ errorType: e.name || 'Error', errorMessage: e.message }),
      );
    } finally {
      clearTimeout(timer);
      this.lambdaMs.set(arn, (this.lambdaMs.get(arn) ?? 0) + performance.now() - started);
      if (memory) this.lambdaPeakBytes.set(arn, Math.max(this.lambdaPeakBytes.get(arn) ?? 0, memory.stop()));
    }
    const out = result === undefined ? null : JSON.parse(JSON.stringify(result));
    this.measure(out, state, 'task result');
    return out;
  }

  private async distributedMap(name: string, state: AslState, input: unknown): Promise<unknown> {
    if (state.ItemBatcher) throw new Error(`${name}: ItemBatcher is not modelled by this layer`);
    const items = state.ItemReader
      ? await this.readItems(state.ItemReader as AslState, input)
      : ((await evaluate((state.ItemsPath as string | undefined) ?? '$', input)) as unknown[]);
    if (!Array.isArray(items))
      throw new TerminalStateError('States.Runtime', `${name}: items are not an array`);
    const processor = structuredClone(state.ItemProcessor as AslDefinition);
    const express = processor.ProcessorConfig?.ExecutionType === 'EXPRESS';
    delete processor.ProcessorConfig;
    const selector = (state.ItemSelector ?? state.Parameters) as Json | undefined;
    const concurrency = (state.MaxConcurrency as number | undefined) || 1000;
    const percent = state.ToleratedFailurePercentage as number | undefined;
    const count = state.ToleratedFailureCount as number | undefined;
    const exceeded = (failed: number) =>
      (percent === undefined && count === undefined && failed > 0) ||
      (percent !== undefined && (failed / items.length) * 100 > percent) ||
      (count !== undefined && failed > count);
    const results: unknown[] = new Array(items.length);
    const inputs: unknown[] = new Array(items.length);
    let failed = 0;
    let next = 0;
    let stop = false;
    const worker = async () => {
      while (!stop && next < items.length) {
        const index = next++;
        // ItemSelector is the one place the Map context exists.
        const childInput = selector
          ? await evaluateTemplate(selector, input, { Map: { Item: { Index: index, Value: items[index] } } })
          : items[index];
        inputs[index] = childInput;
        this.childExecutions++;
        try {
          results[index] = await this.execute(
            processor,
            childInput,
            express ? EXPRESS_MAX_SECONDS : undefined,
          );
        } catch (error) {
          // A child is an execution of its own: whatever ended it, the Map counts one failed item.
          const cause = error instanceof ExecutionError ? (error.cause as Error) : (error as Error);
          failed++;
          results[index] = { Error: cause?.name ?? 'Error', Cause: cause?.message ?? '' };
          if (exceeded(failed)) stop = true;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(items.length, 1)) }, worker));
    if (exceeded(failed)) {
      throw new TaskError(
        'States.ExceedToleratedFailureThreshold',
        `${failed} of ${items.length} child workflow executions failed in ${name}`,
      );
    }
    if (state.ResultWriter) return this.writeResults(state.ResultWriter as AslState, input, inputs, results);
    // Without a ResultWriter the children's outputs come back inline, under the same quota.
    this.measure(results, name, 'result');
    return results;
  }

  /** What a ResultWriter exports: the children's results by status, and a manifest naming them. */
  private async writeResults(writer: AslState, input: unknown, inputs: unknown[], results: unknown[]) {
    if (!/^arn:aws[a-z-]*:states:::s3:putObject$/.test(String(writer.Resource)))
      throw new Error(`ResultWriter resource ${String(writer.Resource)} is not modelled by this layer`);
    const params = (await evaluateTemplate(writer.Parameters as Json, input, {})) as {
      Bucket: string;
      Prefix?: string;
    };
    if (!this.options.s3) throw new Error('a ResultWriter needs the s3 option');
    const mapRunId = crypto.randomUUID();
    const base = `${params.Prefix ? `${params.Prefix.replace(/\/$/, '')}/` : ''}${mapRunId}`;
    const entries = results.map((result, i) => {
      const failed = !!result && typeof result === 'object' && 'Error' in result && 'Cause' in result;
      return {
        Name: `${mapRunId}-${i}`,
        Input: JSON.stringify(inputs[i]),
        Status: failed ? 'FAILED' : 'SUCCEEDED',
        ...(failed ? (result as object) : { Output: JSON.stringify(result) }),
      };
    });
    const files: Record<string, { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
    for (const status of ['SUCCEEDED', 'FAILED']) {
      const body = JSON.stringify(entries.filter((e) => e.Status === status));
      const key = `${base}/${status}_0.json`;
      await this.options.s3.send(new PutObjectCommand({ Bucket: params.Bucket, Key: key, Body: body }));
      files[status].push({ Key: key, Size: Buffer.byteLength(body) });
    }
    const manifestKey = `${base}/manifest.json`;
    const mapRunArn = `arn:aws:states:us-east-1:000000000000:mapRun:local/${mapRunId}`;
    await this.options.s3.send(
      new PutObjectCommand({
        Bucket: params.Bucket,
        Key: manifestKey,
        Body: JSON.stringify({ DestinationBucket: params.Bucket, MapRunArn: mapRunArn, ResultFiles: files }),
      }),
    );
    return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: params.Bucket, Key: manifestKey } };
  }

  private async readItems(reader: AslState, input: unknown): Promise<unknown[]> {
    if (!/^arn:aws[a-z-]*:states:::s3:getObject$/.test(String(reader.Resource)))
      throw new Error(`ItemReader resource ${String(reader.Resource)} is not modelled by this layer`);
    const params = (await evaluateTemplate(reader.Parameters as Json, input, {})) as {
      Bucket: string;
      Key: string;
    };
    if (!this.options.s3) throw new Error('an S3 ItemReader needs the s3 option');
    const out = await this.options.s3
      .send(new GetObjectCommand({ Bucket: params.Bucket, Key: params.Key }))
      .catch((error: Error) => {
        throw new TaskError('States.ItemReaderFailed', `${params.Bucket}/${params.Key}: ${error.name}`);
      });
    const text = (await out.Body?.transformToString()) ?? '';
    const config = (reader.ReaderConfig ?? {}) as { InputType?: string; MaxItems?: number };
    const items =
      config.InputType === 'JSONL'
        ? text
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l))
        : JSON.parse(text);
    return config.MaxItems ? items.slice(0, config.MaxItems) : items;
  }
}

/** Evaluates a payload template with the package itself: a one-state Pass machine. */
async function evaluateTemplate(
  template: Json,
  input: unknown,
  context: Record<string, unknown>,
): Promise<unknown> {
  const machine = new StateMachine(
    { StartAt: 'Evaluate', States: { Evaluate: { Type: 'Pass', Parameters: template, End: true } } } as never,
    { validationOptions: { noValidate: true } },
  );
  return machine.run(input as never, { context: context as never }).result;
}

async function evaluate(path: string, input: unknown): Promise<unknown> {
  const machine = new StateMachine(
    { StartAt: 'Evaluate', States: { Evaluate: { Type: 'Pass', OutputPath: path, End: true } } } as never,
    { validationOptions: { noValidate: true } },
  );
  return machine.run(input as never).result;
}

const TEMPLATE_FIELDS = ['Parameters', 'ResultSelector', 'ItemSelector'];

function checkTemplates(definition: AslDefinition, path = ''): void {
  for (const [name, state] of Object.entries(definition.States)) {
    for (const field of TEMPLATE_FIELDS) {
      const value = state[field];
      if (value !== undefined && (value === null || typeof value !== 'object'))
        throw new Error(
          `SCHEMA_VALIDATION_FAILED: ${path}${name}.${field} must be a JSON object, got ${JSON.stringify(value)}`,
        );
    }
    const processor = (state.ItemProcessor ?? state.Iterator) as AslDefinition | undefined;
    if (processor) checkTemplates(processor, `${path}${name}/`);
  }
}

function pick(state: AslState, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in state).map((k) => [k, state[k]]));
}

/** Definitions already found valid, as JSON text. */
const validDefinitions = new Set<string>();

/** Runs a state machine definition to its end; a failed execution is a report, not a throw. */
export async function runStateMachine(
  definition: AslDefinition,
  input: unknown,
  options: RunOptions,
): Promise<RunReport> {
  // The definition must be one the package accepts as valid ASL, with payload templates that
  // Step Functions accepts (the package's validator lets a string Parameters through). Checked
  // once per distinct definition: the validator compiles its JSON schema on every call.
  const text = JSON.stringify(definition);
  if (!validDefinitions.has(text)) {
    new StateMachine(definition as never, { validationOptions: { checkPaths: true, checkArn: false } });
    checkTemplates(definition);
    validDefinitions.add(text);
  }
  const run = new Run(options);
  const base = () => ({
    largestPayload: run.largest,
    transitions: run.transitions,
    invocations: run.invocations,
    lambdaMs: run.lambdaMs,
    lambdaPeakBytes: run.lambdaPeakBytes,
    childExecutions: run.childExecutions,
  });
  try {
    const output = await run.execute(definition, input, definition.TimeoutSeconds);
    return { status: 'SUCCEEDED', output, ...base() };
  } catch (error) {
    const cause = error instanceof ExecutionError ? (error.cause as Error) : (error as Error);
    return { status: 'FAILED', error: { Error: cause.name, Cause: cause.message }, ...base() };
  }
}
