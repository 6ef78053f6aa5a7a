// Lambda entry point of the exports step: every exported saved query for the run's snapshot.

import { Logger } from '@aws-lambda-powertools/logger';
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { ENV } from '../collector/env-names.ts';
import { exportWithAthena } from './athena-export.ts';
import { readExportsConfig } from './config.ts';

const logger = new Logger({ serviceName: 'credlake-exports' });
const target = readExportsConfig();

export async function exportAll(event: { dt: string }) {
  const manifest = await exportWithAthena(
    new AthenaClient({}),
    new S3Client({ forcePathStyle: process.env[ENV.s3ForcePathStyle] === 'true' }),
    target,
    event.dt,
  );
  for (const q of manifest.queries)
    logger.info('exported', { query: q.name, rows: q.rows, bytesScanned: q.bytesScanned, dt: event.dt });
  return { dt: manifest.dt, queries: manifest.queries.map((q) => ({ name: q.name, rows: q.rows })) };
}
