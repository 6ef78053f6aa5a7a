// A small interpreter for the Amazon States Language the CDK app synthesizes: Pass, Task and
// (Distributed) Map with Parameters, ResultSelector, ResultPath, ItemsPath, Catch, MaxConcurrency
// and ToleratedFailurePercentage, plus the two intrinsics the definition uses. It runs the
// deployed handlers in the order the state machine would, with the payloads it would pass.
type Json = unknown;

export interface AslState {
  Type: 'Pass' | 'Task' | 'Map' | 'Succeed' | 'Fail';
  Next?: string;
  End?: boolean;
  Parameters?: Record<string, Json>;
  ResultSelector?: Record<string, Json>;
  ResultPath?: string | null;
  Resource?: string;
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  ItemsPath?: string;
  ItemProcessor?: AslMachine;
  MaxConcurrency?: number;
  ToleratedFailurePercentage?: number;
}

export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
}

export interface DriverContext {
  /** Invokes the Lambda function named by a Task's Resource with a payload; returns its result. */
  invoke(resource: string, payload: Json): Promise<Json>;
  startTime: string;
  /** Every state entered, in order, with the input it got (for tests). */
  trace?: { state: string; input: Json }[];
}

interface Ctx {
  Execution: { StartTime: string };
  Map?: { Item: { Value: Json; Index: number } };
}

export async function runMachine(
  machine: AslMachine,
  input: Json,
  driver: DriverContext,
  ctx: Ctx = { Execution: { StartTime: driver.startTime } },
): Promise<Json> {
  let name: string | undefined = machine.StartAt;
  let data = input;
  while (name) {
    const state: AslState = machine.States[name];
    if (!state) throw new Error(`state machine has no state ${name}`);
    driver.trace?.push({ state: name, input: data });
    try {
      data = await runState(state, data, driver, ctx);
    } catch (error) {
      const handler = state.Catch?.find(
        (c) => c.ErrorEquals.includes('States.ALL') || c.ErrorEquals.includes((error as Error).name),
      );
      if (!handler) throw error;
      const failure = { Error: (error as Error).name || 'Error', Cause: (error as Error).message };
      data = applyResultPath(data, failure, handler.ResultPath ?? '$');
      name = handler.Next;
      continue;
    }
    if (state.Type === 'Fail') throw new Error(`state machine failed in ${name}`);
    name = state.End || state.Type === 'Succeed' ? undefined : state.Next;
  }
  return data;
}

async function runState(state: AslState, input: Json, driver: DriverContext, ctx: Ctx): Promise<Json> {
  switch (state.Type) {
    case 'Pass':
      return applyResultPath(
        input,
        state.Parameters ? fill(state.Parameters, input, ctx) : input,
        state.ResultPath,
      );
    case 'Task': {
      const payload = state.Parameters ? fill(state.Parameters, input, ctx) : input;
      let result = await driver.invoke(state.Resource!, payload);
      if (state.ResultSelector) result = fill(state.ResultSelector, result, ctx);
      return applyResultPath(input, result, state.ResultPath);
    }
    case 'Map': {
      const items = path(input, state.ItemsPath ?? '$', ctx) as Json[];
      const results: Json[] = new Array(items.length);
      let failed = 0;
      let next = 0;
      const worker = async () => {
        while (next < items.length) {
          const index = next++;
          try {
            results[index] = await runMachine(state.ItemProcessor!, items[index], driver, {
              ...ctx,
              Map: { Item: { Value: items[index], Index: index } },
            });
          } catch (error) {
            failed++;
            results[index] = { Error: (error as Error).name, Cause: (error as Error).message };
          }
        }
      };
      await Promise.all(
        Array.from(
          { length: Math.min(state.MaxConcurrency || items.length, Math.max(items.length, 1)) },
          worker,
        ),
      );
      if (items.length && (failed / items.length) * 100 > (state.ToleratedFailurePercentage ?? 0)) {
        throw Object.assign(new Error(`${failed} of ${items.length} Map items failed`), {
          name: 'States.ExceedToleratedFailureThreshold',
        });
      }
      return applyResultPath(input, results, state.ResultPath);
    }
    case 'Succeed':
    case 'Fail':
      return input;
  }
}

function applyResultPath(input: Json, result: Json, resultPath: string | null | undefined): Json {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return result;
  const keys = resultPath.replace(/^\$\./, '').split('.');
  const out = structuredClone(input) as Record<string, Json>;
  let node = out;
  for (const k of keys.slice(0, -1)) {
    node[k] ??= {};
    node = node[k] as Record<string, Json>;
  }
  node[keys.at(-1)!] = result;
  return out;
}

function fill(template: Json, input: Json, ctx: Ctx): Json {
  if (Array.isArray(template)) return template.map((t) => fill(t, input, ctx));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(template as Record<string, Json>)) {
    if (key.endsWith('.$')) out[key.slice(0, -2)] = evaluate(String(value), input, ctx);
    else out[key] = fill(value, input, ctx);
  }
  return out;
}

function evaluate(expression: string, input: Json, ctx: Ctx): Json {
  const call = /^States\.(\w+)\((.*)\)$/.exec(expression.trim());
  if (!call) return path(input, expression, ctx);
  const args = splitArgs(call[2]).map((a) =>
    /^'.*'$/.test(a) ? a.slice(1, -1) : /^\d+$/.test(a) ? Number(a) : evaluate(a, input, ctx),
  );
  if (call[1] === 'StringSplit') return String(args[0]).split(String(args[1]));
  if (call[1] === 'ArrayGetItem') return (args[0] as Json[])[args[1] as number];
  throw new Error(`the driver does not implement States.${call[1]}`);
}

function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    if (!quoted && ch === '(') depth++;
    if (!quoted && ch === ')') depth--;
    if (!quoted && depth === 0 && ch === ',') {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

function path(input: Json, expression: string, ctx: Ctx): Json {
  const [root, ...keys] = expression.startsWith('$$')
    ? ['$$', ...expression.slice(3).split('.').filter(Boolean)]
    : ['$', ...expression.slice(2).split('.').filter(Boolean)];
  let node = (root === '$$' ? ctx : input) as Json;
  for (const k of keys) node = (node as Record<string, Json> | undefined)?.[k];
  if (node === undefined)
    throw Object.assign(new Error(`JSONPath ${expression} matched nothing`), { name: 'States.Runtime' });
  return node;
}
