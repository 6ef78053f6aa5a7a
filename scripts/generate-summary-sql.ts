// Rewrites queries/findings_by_account.sql and queries/findings_trend.sql from the catalog.
//   npx tsx scripts/generate-summary-sql.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_QUERIES } from '../queries/summary-sql.ts';

for (const [name, sql] of Object.entries(GENERATED_QUERIES)) {
  writeFileSync(join(import.meta.dirname, '..', 'queries', `${name}.sql`), sql());
  process.stdout.write(`wrote queries/${name}.sql\n`);
}
