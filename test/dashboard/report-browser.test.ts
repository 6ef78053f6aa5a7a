// The HTML report in a real browser: Debian's Chromium driven by playwright-core. `.ci/run`
// installs Chromium; without it this test says it is skipped and why.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kpiValue } from '../../dashboard/html-report.ts';
import { DASHBOARD, type KpiVisual } from '../../dashboard/spec.ts';
import { findQuery } from '../../queries/catalog.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { runSavedQuery } from '../../queries/run-query.ts';
import { runCli } from '../helpers/cli.ts';
import { buildQueryLake } from '../helpers/query-lake.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(
    `skipping the browser test of the HTML report: ${CHROMIUM} is not installed (apt-get install chromium)`,
  );
const OUTPUT = join(import.meta.dirname, '..', '..', 'test-output');

describe.runIf(hasChromium)('the HTML report in Chromium', () => {
  let browser: Browser;
  let lake: string;
  let file: string;
  beforeAll(async () => {
    lake = (await buildQueryLake()).root;
    file = join(await mkdtemp(join(tmpdir(), 'credlake-report-')), 'report.html');
    const r = await runCli(['report', '--lake', lake, '--out', file]);
    expect(r.code).toBe(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('opens from disk with no console errors and no network requests, shows the right KPIs, filters a table', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => !r.url().startsWith('file://') && requests.push(r.url()));
    await page.goto(`file://${file}`);
    await page.waitForFunction(() => document.querySelectorAll('canvas').length === 2);

    const engine = await DuckDbEngine.open(lake);
    try {
      for (const kpi of DASHBOARD.sections[0].visuals as KpiVisual[]) {
        const shown = await page.locator(`#${kpi.id} .value`).textContent();
        // This lake holds imported reports only: no posture was read, and none is claimed.
        if (findQuery(kpi.query)?.basis === 'posture') {
          expect(shown, kpi.id).toBe('not evaluated');
          continue;
        }
        const expected = kpiValue(kpi, await runSavedQuery(engine, kpi.query));
        expect(shown, kpi.id).toBe(expected === null ? '–' : `${expected}${kpi.unit ?? ''}`);
      }
      expect(await page.locator('#kpi-stale_access_keys .value').textContent()).toBe('4');
    } finally {
      engine.close();
    }
    await expect(page.locator('#missing-accounts').textContent()).resolves.toContain('333333333333');
    await expect(page.locator('#table-admin_users .not-evaluated').textContent()).resolves.toContain(
      'Not evaluated on 3 of 3 collected accounts',
    );
    expect(await page.locator('#table-stale_access_keys .not-evaluated').count()).toBe(0);

    const table = page.locator('#table-stale_access_keys');
    expect(await table.locator('tbody tr:visible').count()).toBe(4);
    await table.locator('input.filter').fill('u_key2_only');
    expect(await table.locator('tbody tr:visible').count()).toBe(1);
    expect(await table.locator('.count').textContent()).toBe('1 of 4');
    await table.locator('th', { hasText: 'key_age_days' }).click();
    await table.locator('input.filter').fill('');
    const ages = await table.locator('tbody tr td:nth-child(6)').allTextContents();
    expect(ages).toEqual([...ages].sort((a, b) => Number(a) - Number(b)));

    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'report.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('prints for an auditor: every table row on paper, no filter boxes', async () => {
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('input.filter').first().isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
  });
});
