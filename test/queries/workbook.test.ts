// The exports workbook read back by a reader we did not write: Debian's python3-openpyxl. Account
// ids stay text with their leading zeros, timestamps are real date cells in UTC with (UTC) in
// the header, each query sheet's header row is frozen and bold with every column formatted by
// its type, and the summary sheet names each check's severity and control ids. `.ci/run`
// installs the reader; without it this test says it is skipped and why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportKey } from '../../lake/keys.ts';
import { LocalStore } from '../../lake/local-store.ts';
import { EXPORTED_QUERIES, queryLabels } from '../../queries/catalog.ts';
import { DuckDbEngine } from '../../queries/duckdb-engine.ts';
import { type ExportManifest, exportSnapshot } from '../../queries/export.ts';
import { RESULT_COLUMNS } from '../../queries/result-columns.ts';
import { runSavedQuery } from '../../queries/run-query.ts';
import { sheetName } from '../../queries/workbook.ts';
import { buildQueryLake, DEV } from '../helpers/query-lake.ts';

const PYTHON = '/usr/bin/python3';
const hasReader = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import openpyxl']).status === 0;
if (!hasReader)
  console.warn(
    'skipping the workbook read-back: python3-openpyxl is not installed (apt-get install python3-openpyxl)',
  );

/**
 * The workbook as openpyxl reads it, in one load: every sheet as rows of [type, value] cells, and
 * each sheet's frozen cell, its header row's bold flags and its first data row's number formats.
 */
const DUMP = `
import json, sys, datetime, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
def cell(v):
    if isinstance(v, datetime.datetime): return ['datetime', v.isoformat()]
    return [type(v).__name__, v]
sheets, layout = {}, {}
for ws in book.worksheets:
    has_rows = ws.max_row > 1  # read first: reading a cell makes it
    sheets[ws.title] = [[cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    rows = list(ws.iter_rows(min_row=1, max_row=2))
    layout[ws.title] = {
        'frozen': ws.freeze_panes,
        'bold': [c.font.b for c in rows[0]],
        'formats': [c.number_format for c in rows[1]] if has_rows else [],
    }
print(json.dumps({'sheets': sheets, 'layout': layout}))
`;
type Sheets = Record<string, [string, unknown][][]>;
type Layout = Record<string, { frozen: string | null; bold: boolean[]; formats: string[] }>;

describe.runIf(hasReader)('the exports workbook', () => {
  let out: string;
  let manifest: ExportManifest;
  let sheets: Sheets;
  let layout: Layout;
  let engine: DuckDbEngine;
  beforeAll(async () => {
    const lake = (await buildQueryLake()).root;
    out = await mkdtemp(join(tmpdir(), 'credlake-workbook-'));
    engine = await DuckDbEngine.open(lake);
    manifest = await exportSnapshot(engine, new LocalStore(out));
    const r = spawnSync(PYTHON, ['-c', DUMP, join(out, manifest.workbook)], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    ({ sheets, layout } = JSON.parse(r.stdout) as { sheets: Sheets; layout: Layout });
    return () => engine.close();
  });

  it('has a summary sheet, then one sheet per exported query with every row', async () => {
    expect(Object.keys(sheets)).toEqual(['Summary', ...EXPORTED_QUERIES.map(sheetName)]);
    const summary = sheets.Summary.map((row) => row.map(([, v]) => v));
    expect(summary[1].slice(0, 2)).toEqual(['snapshot (dt)', manifest.dt]);
    const head = summary.findIndex((row) => row[0] === 'sheet');
    for (const [i, query] of EXPORTED_QUERIES.entries()) {
      const labels = queryLabels(query, manifest.benchmark);
      const rows = (await runSavedQuery(engine, query.name)).rows.length;
      expect(summary[head + 1 + i]).toEqual([
        sheetName(query),
        query.name,
        labels.severity ?? '',
        labels.controls.join(', '),
        labels.security_hub.join(', '),
        rows,
      ]);
      expect(sheets[sheetName(query)].length - 1, query.name).toBe(rows);
    }
  });

  it('keeps account ids as text, with their leading zeros', () => {
    const sheet = sheets[sheetName(EXPORTED_QUERIES.find((q) => q.name === 'stale_access_keys')!)];
    const column = sheet[0].findIndex(([, v]) => v === 'account_id');
    const ids = sheet.slice(1).map((row) => row[column]);
    expect(ids.every(([type]) => type === 'str')).toBe(true);
    expect(ids.map(([, v]) => v)).toContain(DEV);
  });

  it('writes timestamps as date cells holding the UTC time, with (UTC) in the header, as the CSV does', async () => {
    const query = EXPORTED_QUERIES.find((q) => q.name === 'stale_access_keys')!;
    const sheet = sheets[sheetName(query)];
    const { rows } = await runSavedQuery(engine, query.name);
    const datetimes = RESULT_COLUMNS[query.name].filter(([, t]) => t === 'datetime').map(([c]) => c);
    expect(datetimes.length).toBeGreaterThan(0);
    const csvHeader = (await readFile(join(out, exportKey(query.name, manifest.dt)), 'utf8')).split(
      '\r\n',
    )[0];
    let checked = 0;
    for (const c of datetimes) {
      const column = sheet[0].findIndex(([, v]) => v === `${c} (UTC)`);
      expect(column, c).toBeGreaterThanOrEqual(0);
      expect(csvHeader.split(',')).toContain(`${c} (UTC)`);
      for (const [i, row] of rows.entries()) {
        const [type, value] = sheet[i + 1][column];
        if (row[c] === null) {
          expect(type).toBe('NoneType');
          continue;
        }
        expect(type, `${c} row ${i}`).toBe('datetime');
        // openpyxl reads the cell as a naive date-time: the wall time written, which is UTC.
        expect(`${value}Z`).toBe(String(row[c]).replace('.000Z', 'Z'));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("freezes and bolds each query sheet's header, and formats each column by its type", () => {
    const formats = {
      string: '@',
      integer: '0',
      decimal: '0.00',
      boolean: 'General',
      datetime: 'yyyy-mm-dd hh:mm:ss',
    };
    for (const query of EXPORTED_QUERIES) {
      const sheet = layout[sheetName(query)];
      expect(sheet.frozen, query.name).toBe('A2');
      expect(sheet.bold.every(Boolean), query.name).toBe(true);
      if (sheet.formats.length === 0) continue;
      const types = new Map(RESULT_COLUMNS[query.name] ?? []);
      const header = sheets[sheetName(query)][0].map(([, v]) => String(v).replace(/ \(UTC\)$/, ''));
      expect(sheet.formats, query.name).toEqual(header.map((c) => formats[types.get(c) ?? 'string']));
    }
    expect(layout.Summary.frozen).toBeNull();
  });
});
