// Lambda entry point of the exports step: the snapshot's findings_daily rollup, then every
// exported saved query for the run's snapshot.

import { Logger } from '@aws-lambda-powertools/logger';
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { ENV } from '../collector/env-names.ts';
import { registerPartitions } from '../lake/glue-partitions.ts';
import { exportWithAthena } from './athena-export.ts';
import { rollupWithAthena } from './athena-rollup.ts';
import { readExportsConfig } from './config.ts';

const logger = new Logger({ serviceName: 'credlake-exports' });
const target = readExportsConfig();

export async function exportAll(event: { dt: string }) {
  const athena = new AthenaClient({});
  const s3 = new S3Client({ forcePathStyle: process.env[ENV.s3ForcePathStyle] === 'true' });
  const glue = new GlueClient({});
  const rollup = await rollupWithAthena(athena, s3, target, event.dt, (table, dt) =>
    registerPartitions(glue, target, table, [[dt]]),
  );
  logger.info('findings and rollup written', {
    findings: rollup.findings,
    rollupRows: rollup.rows,
    bytesScanned: rollup.bytesScanned,
  });
  const manifest = await exportWithAthena(athena, s3, target, event.dt);
  for (const q of manifest.queries)
    logger.info('exported', { query: q.name, rows: q.rows, bytesScanned: q.bytesScanned, dt: event.dt });
  return {
    dt: manifest.dt,
    rollup: { key: rollup.key, rows: rollup.rows, findings: rollup.findings },
    queries: manifest.queries.map((q) => ({ name: q.name, rows: q.rows })),
  };
}
