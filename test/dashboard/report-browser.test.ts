// The HTML report in a real browser: Debian's Chromium driven by playwright-core. `.ci/run`
// installs Chromium; without it this test says it is skipped and why.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kpiValue } from '../../dashboard/html-report.ts';
import { CHECK_COLOURS, DASHBOARD, type KpiVisual, SEVERITY_COLOURS } from '../../dashboard/spec.ts';
import { COMPLIANCE_CHECKS, findQuery, SEVERITIES, type Severity } from '../../queries/catalog.ts';
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
  let firstDay: string;
  let runOutput: string;
  beforeAll(async () => {
    lake = await mkdtemp(join(tmpdir(), 'credlake-report-sim-'));
    // A healthy first day, then a second on which some accounts cannot be collected: those must
    // not read as improvements.
    const org = ['--simulate', '--accounts', '40', '--seed', '9', '--lake', lake, '--quiet'];
    const day1 = await runCli(['run', ...org, '--days', '1', '--date', '2025-06-01']);
    expect(day1.code, day1.stderr).toBe(0);
    expect(day1.stdout).toContain(
      'since the previous snapshot: nothing to compare with (no account has an earlier collected snapshot)',
    );
    expect(day1.stdout).not.toMatch(/0 new, 0 resolved/);
    // The second day is collected by a run that starts on the first (already collected, so kept),
    // so the simulated organization drifts into it as it would overnight.
    const r = await runCli([
      'run',
      ...org,
      '--days',
      '2',
      '--date',
      '2025-06-02',
      '--faults',
      'access_denied=0.15',
    ]);
    expect(r.code, r.stderr).toBe(1);
    runOutput = r.stdout;
    file = join(lake, 'reports', 'dt=2025-06-02', 'credlake-report.html');
    // The first day's report, written afterwards: no account had an earlier snapshot then.
    firstDay = join(lake, 'first-day.html');
    const first = await runCli(['report', '--lake', lake, '--date', '2025-06-01', '--out', firstDay]);
    expect(first.code, first.stderr).toBe(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('leads with what changed, matching findings_changes, and counts change over the compared accounts only', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`file://${file}`);
    expect(await page.locator('main section h2').first().textContent()).toBe('What changed');
    const engine = await DuckDbEngine.open(lake);
    try {
      const rows = (await runSavedQuery(engine, 'findings_changes')).rows;
      const fresh = rows.filter((r) => r.change === 'new').length;
      const resolved = rows.filter((r) => r.change === 'resolved').length;
      const compared = rows.filter((r) => r.change === 'compared').length;
      const failed = rows.filter((r) => r.change === 'not_collected' && r.detail !== 'not_active');
      expect(fresh + resolved).toBeGreaterThan(0);
      expect(failed.length, 'the run has accounts it could not collect').toBeGreaterThan(0);
      expect(await page.locator('#changes-headline').textContent()).toBe(
        `${fresh} new and ${resolved} resolved findings in the ${compared} accounts compared.`,
      );
      const byCheck = await page.locator('#changes-by-check tbody tr').allTextContents();
      const checks = new Set(
        rows.filter((r) => r.change === 'new' || r.change === 'resolved').map((r) => r.check_name),
      );
      expect(byCheck).toHaveLength(checks.size);
      const trend = (await runSavedQuery(engine, 'findings_trend')).rows;
      const totals = page.locator('#standing-totals tbody tr');
      expect(await totals.count()).toBe(COMPLIANCE_CHECKS.length);
      expect(await page.locator('#standing-totals th').last().textContent()).toBe(
        `Change in the ${compared} accounts compared`,
      );
      const [before, now] = trend.slice(-2);
      let differs = 0;
      for (const [i, q] of COMPLIANCE_CHECKS.entries()) {
        const cells = await totals.nth(i).locator('td').allTextContents();
        const of = (change: string) =>
          rows.filter((r) => r.check_name === q.name && r.change === change).length;
        const delta = of('new') - of('resolved');
        expect(cells[2], q.name).toBe(String(now[q.name] ?? 'not evaluated'));
        expect(cells[3], q.name).toBe(delta > 0 ? `+${delta}` : delta < 0 ? `−${-delta}` : '0');
        // The plain difference of the day totals mixes in the accounts that failed today.
        if (typeof now[q.name] === 'number' && Number(now[q.name]) - Number(before[q.name]) !== delta)
          differs++;
      }
      expect(differs, 'failed accounts would have shown as decreases').toBeGreaterThan(0);
    } finally {
      engine.close();
    }
    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: join(OUTPUT, 'report-first-screen.png') });
  });

  it('on a first snapshot says there is nothing to compare with, never that nothing changed', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`file://${firstDay}`);
    const headline = await page.locator('#changes-headline').textContent();
    expect(headline).toMatch(/^Nothing to compare with yet/);
    expect(await page.locator('#changes-headline').getAttribute('class')).toBe('neutral');
    expect(await page.locator('.changes .ok').count()).toBe(0);
    expect(await page.locator('#changes').textContent()).not.toMatch(/No finding is new or resolved/);
    expect(await page.locator('#standing-totals th').allTextContents()).toHaveLength(3);
    // And the run's own summary said the same of that first day only: the second was compared.
    expect(runOutput).toMatch(
      /since the previous snapshot: \d+ new, \d+ resolved in \d+ account\(s\) compared/,
    );
  });

  it('puts the most severe checks first, each figure in its severity colour, each check in one colour in every chart', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`file://${file}`);
    const kpis = await page.locator('.kpi[data-severity]').evaluateAll((els) =>
      els.map((el) => ({
        severity: el.getAttribute('data-severity') ?? '',
        query: el.getAttribute('data-query') ?? '',
        bad: el.classList.contains('bad'),
        colour: getComputedStyle(el.querySelector('.value')!).color,
      })),
    );
    const checks = kpis.filter((k) => COMPLIANCE_CHECKS.some((q) => q.name === k.query));
    expect(checks.map((k) => k.query)).toEqual(COMPLIANCE_CHECKS.map((q) => q.name));
    const ranks = checks.map((k) => SEVERITIES.indexOf(k.severity as Severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(ranks[0]).toBe(0);
    for (const k of kpis.filter((x) => x.bad))
      expect(k.colour, k.query).toBe(rgb(SEVERITY_COLOURS[k.severity as Severity]));
    expect(new Set(kpis.filter((x) => x.bad).map((k) => k.colour)).size).toBeGreaterThan(1);

    const series = await page.evaluate(() =>
      Object.values(
        (window as unknown as { Chart: { instances: Record<string, unknown> } }).Chart.instances,
      ).map((chart) =>
        (chart as { data: { datasets: { label: string; borderColor: string }[] } }).data.datasets.map((d) => [
          d.label,
          d.borderColor,
        ]),
      ),
    );
    expect(series).toHaveLength(2);
    for (const chart of series) {
      expect(chart.map(([label]) => label)).toEqual(COMPLIANCE_CHECKS.map((q) => q.title));
      expect(new Set(chart.map(([, colour]) => colour)).size, 'one colour per series').toBe(chart.length);
      expect(chart).toEqual(COMPLIANCE_CHECKS.map((q) => [q.title, CHECK_COLOURS[q.name]]));
    }
  });

  it('shows the findings per owner with the waived ones apart, and the waivers to review, as the queries count them', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`file://${file}`);
    const cells = async (id: string) => {
      const table = page.locator(`#${id}`);
      const columns = await table
        .locator('th')
        .evaluateAll((ths) => ths.map((th) => th.getAttribute('data-col')));
      const rows = await table
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')),
        );
      return rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
    };
    const engine = await DuckDbEngine.open(lake);
    try {
      const owners = (await runSavedQuery(engine, 'findings_by_owner')).rows;
      const shown = await cells('table-findings-by-owner');
      const pick = (r: Record<string, unknown>) =>
        ['owner', 'findings', 'open', 'waived', 'waiver_expired'].map((c) => String(r[c])).join('|');
      expect(shown.map(pick)).toEqual(owners.map(pick));
      // Waived findings are counted, not dropped: every owner's findings add up.
      for (const r of shown) expect(Number(r.open) + Number(r.waived)).toBe(Number(r.findings));
      expect(shown.some((r) => Number(r.waived) > 0)).toBe(true);
      const review = (await runSavedQuery(engine, 'waivers_review')).rows;
      expect((await cells('table-waivers-review')).map((r) => `${r.waiver_id}|${r.review}`)).toEqual(
        review.map((r) => `${r.waiver_id}|${r.review}`),
      );
      expect(review.length).toBeGreaterThan(0);
    } finally {
      engine.close();
    }
  });

  it('never breaks an identifier, a flag or a timestamp inside, on screen or on paper', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`file://${file}`);
    await page.locator('#print-all').check();
    for (const media of ['screen', 'print'] as const) {
      await page.emulateMedia({ media });
      if (media === 'print') await page.setViewportSize({ width: A4_LANDSCAPE_WIDTH, height: 740 });
      const broken = await page.evaluate(() => {
        const lines = (node: Node) => {
          const range = document.createRange();
          range.selectNodeContents(node);
          return new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size;
        };
        const out: string[] = [];
        for (const td of Array.from(document.querySelectorAll('.table-visual td'))) {
          if (td.classList.contains('text') || !td.textContent) continue;
          // A path may wrap after a separator on paper, never inside one of its parts.
          const parts = td.classList.contains('path') ? Array.from(td.querySelectorAll('span')) : [td];
          for (const part of parts) if (lines(part) > 1) out.push(part.textContent ?? '');
        }
        return out;
      });
      expect(broken, media).toEqual([]);
    }
    // On paper (A4 landscape) every table fits the page's width.
    const wide = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.table-visual table'))
        .filter((t) => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map((t) => t.closest('.table-visual')?.id),
    );
    expect(wide).toEqual([]);
  });

  it('prints each chart clear of its title, its axes and the text below it', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`file://${file}`);
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: A4_LANDSCAPE_WIDTH, height: 740 });
    const boxes = await page.evaluate(() =>
      Array.from(document.querySelectorAll('figure.chart')).map((fig) => {
        const box = (sel: string) => fig.querySelector(sel)!.getBoundingClientRect();
        const [caption, frame, canvas, source] = ['figcaption', '.canvas-box', 'canvas', '.source'].map(box);
        return {
          id: fig.id,
          canvasInFrame:
            canvas.top >= frame.top - 0.5 &&
            canvas.bottom <= frame.bottom + 0.5 &&
            canvas.left >= frame.left - 0.5 &&
            canvas.right <= frame.right + 0.5,
          belowCaption: canvas.top >= caption.bottom - 0.5,
          aboveSource: canvas.bottom <= source.top + 0.5,
          withinPage: canvas.right <= document.documentElement.clientWidth + 0.5,
        };
      }),
    );
    expect(boxes).toHaveLength(2);
    for (const b of boxes)
      expect(b, b.id).toEqual({
        id: b.id,
        canvasInFrame: true,
        belowCaption: true,
        aboveSource: true,
        withinPage: true,
      });
  });

  it('prints the summary and the changes in a few pages, and the full tables only when asked', async () => {
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    // page.pdf lays the page out for print; the option is ticked on screen, as a reader would.
    const summary = pages(await page.pdf({ preferCSSPageSize: true }));
    await page.locator('#print-all').check();
    const everything = pages(await page.pdf({ preferCSSPageSize: true }));
    expect(summary).toBeLessThanOrEqual(6);
    expect(everything).toBeGreaterThan(summary);
  });
});

/** The printable width of an A4 landscape page at 10 mm margins, in CSS pixels (277 mm). */
const A4_LANDSCAPE_WIDTH = Math.floor((277 / 25.4) * 96);

/** A #rrggbb colour as getComputedStyle writes it. */
function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}
