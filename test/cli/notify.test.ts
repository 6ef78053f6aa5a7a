// The digest a security lead reads the morning after: `credlake run --notify` against an
// organization served by the simulator (reached the way real credentials reach AWS, through the
// SDK's endpoint settings), to its SNS topic and to a webhook, saying what findings_changes says.
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../simulator/simulator.ts';
import { addDays } from '../../transforms/dates.ts';
import { runCli } from '../helpers/cli.ts';
import { simulatorsForFile } from '../helpers/simulator.ts';

const startSimulator = simulatorsForFile();

const D1 = '2025-03-01';
const D2 = addDays(D1, 40);
const D3 = addDays(D2, 40);
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:credlake-digest';

let sim: Simulator;
let lake: string;
let hook: Server;
let hookUrl: string;
const received: { path: string; body: Record<string, unknown> }[] = [];

const env = () => ({
  AWS_ENDPOINT_URL: sim.endpoint,
  AWS_ACCESS_KEY_ID: sim.callerCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: sim.callerCredentials.secretAccessKey,
  AWS_REGION: 'us-east-1',
});
const run = (dt: string, ...extra: string[]) =>
  runCli(['run', '--date', dt, '--lake', lake, '--role-name', sim.roleName, '--quiet', ...extra], env());

async function changes(dt: string) {
  const r = await runCli(['query', 'findings_changes', '--date', dt, '--format', 'json', '--lake', lake]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

beforeAll(async () => {
  sim = await startSimulator({ accounts: 10, seed: 21, date: D1 });
  lake = await mkdtemp(join(tmpdir(), 'credlake-notify-'));
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(body) });
      res.writeHead(req.url === '/broken' ? 500 : 200).end('ok');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const address = hook.address() as { port: number };
  hookUrl = `http://127.0.0.1:${address.port}`;
}, 30_000);

afterAll(async () => {
  await new Promise((resolve) => hook?.close(resolve));
});

describe('credlake run --notify', () => {
  it('refuses a target that is neither an SNS topic ARN nor an https URL, before collecting anything', async () => {
    const r = await run(D1, '--notify', 'ftp://example.com/x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--notify takes an SNS topic ARN');
    const plain = await run(D1, '--notify', 'http://example.com/hook');
    expect(plain.code).toBe(2);
    expect(sim.stats.calls.get('GenerateCredentialReport') ?? 0).toBe(0);
  });

  it('sends nothing on a first day with nothing to compare, unless asked', async () => {
    const r = await run(D1, '--notify', TOPIC);
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).toContain('notify:   nothing to compare with yet: no digest sent');
    expect(sim.stats.published).toEqual([]);
  });

  it('publishes to the SNS topic the new and resolved findings that findings_changes lists', async () => {
    sim.advanceTo(D2);
    const r = await run(D2, '--notify', TOPIC, '--notify-by-owner');
    expect(r.stdout, r.stderr).toContain(`notify:   digest sent to ${TOPIC}`);
    const rows = await changes(D2);
    // The full digest (owner "all"), then one message per owner with a change, routed by the
    // owner attribute a subscription filter policy matches.
    const owners = [...new Set(rows.filter((x) => x.owner !== null).map((x) => String(x.owner)))].sort();
    expect(owners.length).toBeGreaterThan(1);
    expect(sim.stats.published.map((m) => m.attributes.owner)).toEqual(['all', ...owners]);
    const [message, ...parts] = sim.stats.published;
    expect(message.topicArn).toBe(TOPIC);
    for (const part of parts) {
      const mine = rows.filter((x) => x.owner === part.attributes.owner && x.change === 'new');
      expect(part.subject).toContain(`for ${part.attributes.owner}: ${mine.length} new finding`);
      // Each finding listed names its owner: only this owner's are in its part.
      const listed = [...part.message.matchAll(/ \[([^\]]+)\](?:\s+\(waived: [^)]+\))?$/gm)].map((m) => m[1]);
      expect(listed.length).toBe(
        Math.min(mine.length, 15) +
          rows.filter((x) => x.owner === part.attributes.owner && x.change === 'reopened').length,
      );
      expect(new Set(listed)).toEqual(new Set(listed.length ? [part.attributes.owner] : []));
    }
    const fresh = rows.filter((x) => x.change === 'new');
    const resolved = rows.filter((x) => x.change === 'resolved');
    expect(fresh.length).toBeGreaterThan(0);
    expect(message.subject).toContain(`credlake ${D2}: ${fresh.length} new finding`);
    expect(message.subject).toContain(`${resolved.length} resolved`);
    // Every check with a change has its line, with the same counts.
    for (const check of new Set(fresh.map((x) => String(x.check_name)))) {
      const n = fresh.filter((x) => x.check_name === check).length;
      const m = resolved.filter((x) => x.check_name === check).length;
      const o = rows.filter((x) => x.check_name === check && x.change === 'reopened').length;
      expect(message.message).toMatch(new RegExp(`^\\s+${n}\\s+${o}\\s+${m}\\s+.*\\(${check}, `, 'm'));
    }
    // The most severe new finding is named.
    const worst = fresh[0];
    expect(message.message).toContain(`${worst.account_id}`);
    expect(message.message).toContain(String(worst.check_name));
  });

  it('posts the digest as JSON to a webhook, and says so when the webhook refuses it', async () => {
    sim.advanceTo(D3);
    const r = await run(
      D3,
      '--notify',
      `${hookUrl}/hook`,
      '--notify-owner',
      `unowned=${hookUrl}/unowned`,
      '--notify-owner',
      `nobody-at-all=${hookUrl}/nobody`,
    );
    expect(r.stdout, r.stderr).toContain('notify:   digest sent to');
    const posted = received.find((x) => x.path === '/hook')!;
    const rows = await changes(D3);
    expect(posted.body.dt).toBe(D3);
    expect(posted.body.new_findings).toBe(rows.filter((x) => x.change === 'new').length);
    expect(posted.body.resolved_findings).toBe(rows.filter((x) => x.change === 'resolved').length);
    expect(String(posted.body.text)).toContain(`credlake ${D3}`);
    // One owner's part goes to that owner's own webhook, with that owner's counts only.
    const mine = rows.filter((x) => x.owner === 'unowned');
    expect(mine.length).toBeGreaterThan(0);
    const part = received.find((x) => x.path === '/unowned')!;
    expect(part.body.owner).toBe('unowned');
    expect(part.body.new_findings).toBe(mine.filter((x) => x.change === 'new').length);
    expect(part.body.resolved_findings).toBe(mine.filter((x) => x.change === 'resolved').length);
    expect(received.some((x) => x.path === '/nobody')).toBe(false);
    expect(r.stdout).toContain('notify:   nothing changed for nobody-at-all: no digest sent');

    const broken = await run(D3, '--notify', `${hookUrl}/broken`, '--notify-empty');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('the webhook answered 500');
    expect(broken.stderr).toContain('the lake, exports and report are written');
  });
});
