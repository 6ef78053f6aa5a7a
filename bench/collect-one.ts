// Child process of the memory benchmark: collects and transforms the one account of the
// simulator at CREDLAKE_BENCH_ENDPOINT, then prints its peak RSS. Run in its own process so
// the figure is the collector's alone.
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sdkAccountAccess } from '../collector/aws/account-access.ts';
import { createClients } from '../collector/aws/clients.ts';
import { sdkOrgApi } from '../collector/aws/org-api.ts';
import { collectRun } from '../collector/collect-run.ts';
import { DEFAULT_RETRY } from '../collector/retry.ts';
import { LocalStore } from '../lake/local-store.ts';
import { CALLER_ACCESS_KEY_ID, CALLER_SECRET, DEFAULT_ROLE_NAME } from '../simulator/simulator.ts';

/** Peak RSS of this process image: VmHWM resets at exec, unlike getrusage's maxRSS, which a
 * child started from a big parent inherits. */
const rssMb = () => {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return (hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) / 1024;
};
const loaded = rssMb();
const connection = {
  region: 'us-east-1',
  endpoint: process.env.CREDLAKE_BENCH_ENDPOINT,
  credentials: { accessKeyId: CALLER_ACCESS_KEY_ID, secretAccessKey: CALLER_SECRET },
};
const clients = createClients(connection);
const store = new LocalStore(await mkdtemp(join(tmpdir(), 'credlake-bench-memory-')));
const result = await collectRun({
  store,
  dt: process.env.CREDLAKE_BENCH_DATE ?? '2026-01-15',
  access: await sdkAccountAccess(connection, clients.sts, {
    roleName: DEFAULT_ROLE_NAME,
    sessionName: 'credlake-bench',
  }),
  org: sdkOrgApi(clients.organizations, DEFAULT_RETRY),
  poll: { initialMs: 50, factor: 1.5, maxMs: 500, jitter: 0.2 },
});
const users = result.outcomes[0]?.userCount ?? 0;
process.stdout.write(
  `${JSON.stringify({ users, loaded_rss_mb: Math.round(loaded), peak_rss_mb: Math.round(rssMb()) })}\n`,
);
