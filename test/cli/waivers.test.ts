// `credlake waivers` as an operator uses it: a file checked with every problem and its line, put
// into a lake, checked there again, and a bad file refused before a run collects anything.
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const GOOD = `waivers:
  - id: break-glass
    check: console_users_without_mfa
    users: ["break-glass-*"]
    reason: MFA device in the safe
    approved_by: ciso@example.com
    expires: 2099-01-31
`;
const BAD = `waivers:
  - id: break-glass
    check: console_users_without_mfa
    users: ["break-glass-*"]
    reason: MFA device in the safe
    approved_by: ciso@example.com
  - id: typo
    check: stale_acces_keys
    accounts: [123]
    reason: r
    approved_by: a
    expires: 2099-01-01
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credlake-waivers-'));
  await writeFile(join(dir, 'good.yaml'), GOOD);
  await writeFile(join(dir, 'bad.yaml'), BAD);
});

describe('credlake waivers', () => {
  it('checks a good file and lists its waivers', async () => {
    const r = await runCli(['waivers', 'check', join(dir, 'good.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('good.yaml: ok, 1 waiver');
    expect(r.stdout).toMatch(/break-glass\s+console_users_without_mfa\s+expires 2099-01-31/);
  });

  it('refuses a bad file with every problem and its line, exit 2', async () => {
    const r = await runCli(['waivers', 'check', join(dir, 'bad.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('bad.yaml: 3 problems');
    expect(r.stderr).toContain('line 2: waiver "break-glass" needs "expires" (YYYY-MM-DD)');
    expect(r.stderr).toContain('line 8: waiver "typo": unknown check "stale_acces_keys"');
    expect(r.stderr).toContain('line 9: waiver "typo": account ids have 12 digits, got "123"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('puts a file into a lake, and checks the one a lake applies', async () => {
    const lake = join(dir, 'lake');
    const missing = await runCli(['waivers', 'check', '--lake', lake]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('config/waivers.yaml does not exist');
    const put = await runCli(['waivers', 'put', join(dir, 'good.yaml'), '--lake', lake]);
    expect(put.code, put.stderr).toBe(0);
    const check = await runCli(['waivers', 'check', '--lake', lake]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain(`${lake}/config/waivers.yaml: ok, 1 waiver`);
    const refused = await runCli(['waivers', 'put', join(dir, 'bad.yaml'), '--lake', lake]);
    expect(refused.code).toBe(2);
    // The lake keeps the file it had.
    expect((await runCli(['waivers', 'check', '--lake', lake])).stdout).toContain('ok, 1 waiver');
  });

  it('stops a run on a bad waivers file before anything is collected', async () => {
    const lake = join(dir, 'run-lake');
    const r = await runCli([
      'run',
      '--simulate',
      '--accounts',
      '3',
      '--days',
      '1',
      '--lake',
      lake,
      '--waivers',
      join(dir, 'bad.yaml'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('line 8');
    const left = await readdir(lake).catch(() => []);
    expect(left.filter((d) => d === 'raw' || d === 'curated')).toEqual([]);
  });
});
