// How every Lambda function is bundled, in one place: the CDK app builds the functions with it
// and the memory benchmark builds the same bundle to measure it as deployed.
import { Runtime } from 'aws-cdk-lib/aws-lambda';

/** The runtime of every function. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/** esbuild's target for a Lambda runtime: `nodejs24.x` -> `node24`. */
export function esbuildTarget(runtime: Runtime = LAMBDA_RUNTIME): string {
  const m = /^nodejs(\d+)\.x$/.exec(runtime.name);
  if (!m) throw new Error(`not a Node.js Lambda runtime: ${runtime.name}`);
  return `node${m[1]}`;
}

/** Modules left out of every bundle: DuckDB's native bindings are for the CLI only. */
export const EXTERNAL_MODULES = ['@duckdb/node-api', '@duckdb/node-bindings'];

/** parquet-wasm loads its WebAssembly module from beside the bundle. */
export const WASM_BESIDE_BUNDLE = 'node_modules/parquet-wasm/node/parquet_wasm_bg.wasm';
