// Which deployed function made an HTTP request. Every function's handler runs inside
// runAs(functionId), and each HTTP request it makes (through any SDK client) carries the function's
// id in a header the IAM-enforcing proxy reads to decide as that function's role. The header is
// added after the SDK has signed the request, so it is outside the signature and changes nothing
// else about the request. The SDK's HTTP handler takes `http.request` from the module when it
// first sends, so the wrapper is installed when this module loads, before any client sends.
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';

export const FUNCTION_HEADER = 'x-credlake-function';

const current = new AsyncLocalStorage<string>();
const original = http.request;

http.request = function marked(this: unknown, ...args: unknown[]) {
  const fn = current.getStore();
  const [first] = args;
  if (fn && first && typeof first === 'object' && !(first instanceof URL)) {
    const options = first as http.RequestOptions;
    args[0] = { ...options, headers: { ...(options.headers as object), [FUNCTION_HEADER]: fn } };
  }
  return (original as (...a: unknown[]) => http.ClientRequest).apply(this, args);
} as typeof http.request;

/** Runs a handler as the given function: every request it makes is marked as that function's. */
export function runAs<T>(functionId: string, work: () => Promise<T>): Promise<T> {
  return current.run(functionId, work);
}
