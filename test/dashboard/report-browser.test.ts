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
import { COMPLIANCE_CHECKS, findQuery } from '../../queries/catalog.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { RESULT_COLUMNS } from '../../queries/result-columns.ts';
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
      const overview = DASHBOARD.sections.find((sec) => sec.title === 'Overview')!;
      for (const kpi of overview.visuals as KpiVisual[]) {
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
    await table.locator('th[data-col="key_age_days"]').click();
    await table.locator('input.filter').fill('');
    const column = await table
      .locator('th')
      .evaluateAll((ths) => ths.findIndex((th) => th.getAttribute('data-col') === 'key_age_days'));
    const ages = await table.locator(`tbody tr td:nth-child(${column + 1})`).allTextContents();
    expect(ages).toEqual([...ages].sort((a, b) => Number(a) - Number(b)));

    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'report.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('prints for an auditor: every table row on paper, no filter boxes', async () => {
    // (the full tables print when asked; see the simulated organization's report below)
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('input.filter').first().isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
  });
});

const pages = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;

describe.runIf(hasChromium)('the report of a simulated organization, as a security lead reads it', () => {
  let browser: Browser;
  let lake: string;
  let file: string;
  beforeAll(async () => {
    lake = await mkdtemp(join(tmpdir(), 'credlake-report-sim-'));
    const r = await runCli([
      'run',
      '--simulate',
      '--accounts',
      '40',
      '--seed',
      '9',
      '--days',
      '2',
      '--date',
      '2025-06-02',
      '--lake',
      lake,
      '--quiet',
    ]);
    expect([0, 1], r.stderr).toContain(r.code);
    file = join(lake, 'reports', 'dt=2025-06-02', 'credlake-report.html');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('leads with what changed, matching findings_changes, then the standing totals with their change', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`file://${file}`);
    expect(await page.locator('main section h2').first().textContent()).toBe('What changed');
    const engine = await DuckDbEngine.open(lake);
    try {
      const rows = (await runSavedQuery(engine, 'findings_changes')).rows;
      const fresh = rows.filter((r) => r.change === 'new').length;
      const resolved = rows.filter((r) => r.change === 'resolved').length;
      expect(fresh + resolved).toBeGreaterThan(0);
      expect(await page.locator('#changes-headline').textContent()).toBe(
        `${fresh} new and ${resolved} resolved findings.`,
      );
      const byCheck = await page.locator('#changes-by-check tbody tr').allTextContents();
      const checks = new Set(
        rows.filter((r) => r.change === 'new' || r.change === 'resolved').map((r) => r.check_name),
      );
      expect(byCheck).toHaveLength(checks.size);
      const trend = (await runSavedQuery(engine, 'findings_trend')).rows;
      const totals = page.locator('#standing-totals tbody tr');
      expect(await totals.count()).toBe(COMPLIANCE_CHECKS.length);
      const stale = await totals
        .nth(COMPLIANCE_CHECKS.findIndex((q) => q.name === 'stale_access_keys'))
        .locator('td')
        .allTextContents();
      const [before, now] = trend.slice(-2);
      const delta = Number(now.stale_access_keys) - Number(before.stale_access_keys);
      expect(stale[2]).toBe(String(now.stale_access_keys));
      expect(stale[3]).toBe(delta > 0 ? `+${delta}` : delta < 0 ? `−${-delta}` : '0');
    } finally {
      engine.close();
    }
    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'report-first-screen.png') });
  });

  it('shows every column of every table, with human titles, wrapped to the page, 25 rows a page', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`file://${file}`);
    let paged = 0;
    for (const visual of DASHBOARD.sections.flatMap((sec) => sec.visuals)) {
      if (visual.kind !== 'table') continue;
      const table = page.locator(`#${visual.id}`);
      const heads = await table
        .locator('th')
        .evaluateAll((ths) => ths.map((th) => th.getAttribute('data-col')));
      expect(heads, visual.id).toEqual(
        RESULT_COLUMNS[visual.query].map(([c]) => c).filter((c) => c !== 'dt'),
      );
      expect(await table.locator('th').first().textContent()).toBe('Account');
      const overflow = await table.locator('.scroll').evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(overflow, `${visual.id} is wider than the page`).toBeLessThanOrEqual(1);
      const rows = await table.locator('tbody tr').count();
      if (rows > 25) {
        paged++;
        expect(await table.locator('tbody tr:visible').count()).toBe(25);
        await table.locator('.pager .next').click();
        expect(await table.locator('tbody tr:visible').count()).toBe(Math.min(25, rows - 25));
        expect(await table.locator('.pager .page').textContent()).toBe(`page 2 of ${Math.ceil(rows / 25)}`);
      }
    }
    expect(paged, 'some table has more than one page').toBeGreaterThan(0);
  });

  it('prints the summary and the changes in a few pages, and the full tables only when asked', async () => {
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    // page.pdf lays the page out for print; the option is ticked on screen, as a reader would.
    const summary = pages(await page.pdf({ format: 'A4' }));
    await page.locator('#print-all').check();
    const everything = pages(await page.pdf({ format: 'A4' }));
    expect(summary).toBeLessThanOrEqual(6);
    expect(everything).toBeGreaterThan(summary);
  });
});
