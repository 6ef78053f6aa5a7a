import type { Row } from '../../transforms/credential-report.ts';
import { TABLES } from '../../transforms/schema.ts';

/** The context every golden report fixture is parsed with. */
export const FIXTURE_CONTEXT = {
  accountId: '000123456789',
  accountName: 'Fixture Account',
  runId: 'run-fixture',
  generatedAt: Date.parse('2024-05-01T06:07:08Z'),
} as const;

const TIMESTAMPS = new Set(
  TABLES.credential_report.columns.filter((c) => c.type === 'timestamp').map((c) => c.name),
);

/** Rows in the form golden files store them: timestamps as ISO strings, columns in schema order. */
export function toGolden(rows: readonly Row[]): Record<string, unknown>[] {
  return rows.map((row) =>
    Object.fromEntries(
      TABLES.credential_report.columns.map((c) => {
        const v = row[c.name];
        return [c.name, TIMESTAMPS.has(c.name) && typeof v === 'number' ? new Date(v).toISOString() : v];
      }),
    ),
  );
}
