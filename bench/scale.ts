// Scale: the synthesized state machine in aws-local-stepfunctions (through the test layer) over
// simulated organizations of growing size with the simulator's mix of users, fast latency, the functions' S3 traffic counted by a
// proxy. Per size: wall time, the largest state payload against the 256 KiB quota, S3 requests,
// Lambda invocations and state transitions per account, and the cost per 1,000 accounts per day
// that follows from AWS's public us-east-1 prices (PRICES below).
import { CALLER_ACCESS_KEY_ID, CALLER_SECRET } from '../simulator/simulator.ts';
import { startCountingProxy } from '../test/helpers/counting-proxy.ts';
import { runSimulatedOrganization } from '../test/helpers/deployed-pipeline.ts';
import { startS3Server } from '../test/helpers/s3-server.ts';
import { PAYLOAD_LIMIT_BYTES } from '../test/helpers/step-functions.ts';

/** us-east-1 list prices, December 2026, no free tier. */
export const PRICES = {
  stepFunctionsStandardPerTransition: 0.000025,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.0000002,
  s3PutListPerRequest: 0.000005,
  s3GetHeadPerRequest: 0.0000004,
};
/** The functions' memory as infra/functions.ts sets it. */
const LAMBDA_GB = 1;

export interface ScaleFigures {
  accounts: number;
  wall_s: number;
  status: string;
  largest_payload_bytes: number;
  largest_payload_state: string;
  payload_margin_bytes: number;
  s3_per_account: { get: number; put: number; list: number; head: number };
  lambda_invocations_per_account: number;
  transitions_per_account: number;
  lambda_seconds_per_account: number;
  cost_per_1000_accounts_per_day_usd: number;
  /** The Exports step (the day's findings and rollup through Athena, then the exports): its time. */
  exports_step_s: number;
  /** How much the process's heap and external memory grew while the Exports step ran. */
  exports_step_peak_mb: number;
  /** Findings of the day the step wrote (what grows with the organization's users). */
  findings: number;
  /** Result rows the step read back from Athena (GetQueryResults): flat if nothing grows. */
  athena_rows_read: number;
}

export async function benchScale(sizes: number[], log: (s: string) => void): Promise<ScaleFigures[]> {
  const s3 = await startS3Server([], [{ accessKeyId: CALLER_ACCESS_KEY_ID, secretAccessKey: CALLER_SECRET }]);
  const proxy = await startCountingProxy(s3.endpoint);
  const out: ScaleFigures[] = [];
  try {
    for (const accounts of sizes) {
      const run = await runSimulatedOrganization(s3, proxy, {
        accounts,
        seed: 11,
        concurrency: Math.min(100, accounts),
        users: 'mix',
        sampleMemory: true,
      });
      const { report, requests: c } = run;
      const invocations = [...report.invocations.values()].reduce((a, b) => a + b, 0);
      const lambdaSeconds = [...report.lambdaMs.values()].reduce((a, b) => a + b, 0) / 1000;
      const dayCost =
        report.transitions * PRICES.stepFunctionsStandardPerTransition +
        lambdaSeconds * LAMBDA_GB * PRICES.lambdaArmPerGbSecond +
        invocations * PRICES.lambdaPerRequest +
        (c.put + c.list) * PRICES.s3PutListPerRequest +
        (c.get + c.head) * PRICES.s3GetHeadPerRequest;
      const per = (n: number) => Math.round((n / accounts) * 100) / 100;
      const exportsMs = report.lambdaMs.get(run.exportsArn) ?? Number.NaN;
      const exportsPeak = report.lambdaPeakBytes.get(run.exportsArn) ?? Number.NaN;
      const figures: ScaleFigures = {
        accounts,
        wall_s: Math.round(run.wallSeconds * 10) / 10,
        status: report.status,
        largest_payload_bytes: report.largestPayload.bytes,
        largest_payload_state: report.largestPayload.state,
        payload_margin_bytes: PAYLOAD_LIMIT_BYTES - report.largestPayload.bytes,
        s3_per_account: { get: per(c.get), put: per(c.put), list: per(c.list), head: per(c.head) },
        lambda_invocations_per_account: per(invocations),
        transitions_per_account: per(report.transitions),
        lambda_seconds_per_account: per(lambdaSeconds),
        cost_per_1000_accounts_per_day_usd: Math.round((dayCost / accounts) * 1000 * 10_000) / 10_000,
        exports_step_s: Math.round(exportsMs / 100) / 10,
        exports_step_peak_mb: Math.round(exportsPeak / 2 ** 20),
        findings: run.findings,
        athena_rows_read: run.athenaRowsRead,
      };
      log(
        `  ${accounts} accounts: ${figures.wall_s} s, ${report.status}${report.error ? ` (${report.error.Error}: ${report.error.Cause.slice(0, 300)})` : ''}, largest payload ${figures.largest_payload_bytes} B (${figures.largest_payload_state}), ${run.runs.length} of ${run.accounts.length} accounts in collection_runs; Exports step ${figures.exports_step_s} s, memory +${figures.exports_step_peak_mb} MB, ${figures.findings} findings, ${figures.athena_rows_read} result rows read back`,
      );
      out.push(figures);
    }
  } finally {
    await proxy.close();
    await s3.close();
  }
  return out;
}
