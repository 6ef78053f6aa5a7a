// Runs that are killed, stopped or started twice on one lake: the lake stays consistent, the
// next run completes it, and two runs never work on one lake at once.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOutcomes, standingOutcomes } from '../../collector/journal.ts';
import { parseRawReportKey } from '../../lake/keys.ts';
import { LocalStore } from '../../lake/local-store.ts';
import { LOCK_KEY } from '../../lake/lock.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { parseCredentialReport } from '../../transforms/credential-report.ts';
import { runCli } from '../helpers/cli.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'credlake.js');
const DT = '2024-05-01';
const collectArgs = (lake: string) => [
  'collect',
  '--simulate',
  '--accounts',
  '12',
  '--seed',
  '5',
  '--latency',
  'realistic',
  '--date',
  DT,
  '--lake',
  lake,
  '--quiet',
];

function start(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stderr: string }>;
} {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  child.stdout!.resume();
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { child, done };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await sleep(25);
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Every curated partition equals a parse of the raw bytes its standing outcome names. */
async function checkConsistent(root: string): Promise<void> {
  const store = new LocalStore(root);
  const standing = [...standingOutcomes(await readOutcomes(store, DT)).values()];
  const engine = await DuckDbEngine.open(root);
  try {
    for (const o of standing.filter((s) => s.status === 'collected')) {
      const ref = parseRawReportKey(o.rawKey!)!;
      const bytes = await store.get(ref.key);
      expect(bytes, `${o.accountId}: raw ${o.rawKey}`).toBeDefined();
      const parsed = parseCredentialReport(bytes!, {
        accountId: o.accountId,
        accountName: null,
        runId: '',
        generatedAt: ref.generatedAt,
      });
      const rows = (
        await engine.run(
          `SELECT user_name, epoch_ms(report_generated_at) AS at FROM credential_report WHERE account_id = '${o.accountId}' ORDER BY user_name`,
        )
      ).rows;
      expect(
        rows.map((r) => r.user_name),
        o.accountId,
      ).toEqual(parsed.rows.map((r) => r.user_name).sort());
      for (const r of rows) expect(Number(r.at)).toBe(ref.generatedAt);
      expect(o.userCount).toBe(rows.length);
    }
  } finally {
    engine.close();
  }
}

describe('a run killed at random points', () => {
  it('leaves a lake the next run completes, with every curated row traced to stored raw bytes', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'credlake-killed-'));
    const delays = [0, 1, 2].map(() => 200 + Math.floor(Math.random() * 3500));
    for (const delay of delays) {
      const run = start(collectArgs(lake));
      await sleep(delay);
      run.child.kill('SIGKILL');
      await run.done;
    }
    const final = await runCli(collectArgs(lake));
    expect(final.code, `${final.stderr} (killed after ${delays.join(', ')} ms)`).toBe(0);
    expect((await filesUnder(lake)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(lake, LOCK_KEY))).toBe(false);
    await checkConsistent(lake);
    const transform = await runCli(['transform', '--lake', lake]);
    expect(transform.code, transform.stderr).toBe(0);
    await checkConsistent(lake);
  }, 180_000);
});

describe('two runs on one lake', () => {
  it('refuses the second while the first holds the lock, and SIGTERM stops the first cleanly', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'credlake-locked-'));
    const first = start(collectArgs(lake));
    await waitFor(() => existsSync(join(lake, LOCK_KEY)));
    const second = await runCli(collectArgs(lake));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/the lake at .* is in use by `credlake collect` \(process \d+ on /);
    first.child.kill('SIGTERM');
    const stopped = await first.done;
    expect(stopped.stderr).toMatch(
      /SIGTERM: (finishing the accounts in flight and writing the run record|stopping)/,
    );
    expect(stopped.code).toBe(1);
    expect(existsSync(join(lake, LOCK_KEY))).toBe(false);
    const next = await runCli(collectArgs(lake));
    expect(next.code, next.stderr).toBe(0);
    await checkConsistent(lake);
  }, 120_000);

  it('takes over a lock whose holder is gone, and says so', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'credlake-stale-'));
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.on('close', resolve));
    await new LocalStore(lake).put(LOCK_KEY, '');
    await writeFile(
      join(lake, LOCK_KEY),
      JSON.stringify({
        holder: 'x',
        command: 'collect',
        host: hostname(),
        pid: gone.pid,
        startedAt: new Date().toISOString(),
        refreshedAt: new Date().toISOString(),
      }),
    );
    const r = await runCli(collectArgs(lake));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`took over the lake's lock from \`credlake collect\` (process ${gone.pid}`);
  }, 60_000);
});
