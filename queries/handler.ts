// Lambda entry point of the exports step: the snapshot's findings and findings_daily rollup, every
// exported saved query for the run's snapshot, then the digest of what changed to the topic.

import { Logger } from '@aws-lambda-powertools/logger';
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ENV } from '../common/env-names.ts';
import { registerPartitions } from '../lake/glue-partitions.ts';
import { changesWithAthena, digestWithAthena } from './athena/digest.ts';
import { exportWithAthena } from './athena/export.ts';
import { rollupWithAthena } from './athena/rollup.ts';
import { securityHubInputWithAthena } from './athena/security-hub.ts';
import { readExportsConfig } from './config.ts';
import { sendDigest } from './notify.ts';
import { exportToSecurityHub, type SecurityHubResult } from './security-hub.ts';

const logger = new Logger({ serviceName: 'credlake-exports' });
const target = readExportsConfig();

export async function exportAll(event: { dt: string }) {
  const athena = new AthenaClient({});
  const s3 = new S3Client({ forcePathStyle: process.env[ENV.s3ForcePathStyle] === 'true' });
  const glue = new GlueClient({});
  const rollup = await rollupWithAthena(
    athena,
    s3,
    target,
    event.dt,
    (table, dt) => registerPartitions(glue, target, table, [[dt]]),
    target.ownerTags,
  );
  logger.info('findings and rollup written', {
    findings: rollup.findings,
    waived: rollup.waived,
    waiversKey: rollup.waiversKey,
    rollupRows: rollup.rows,
    bytesScanned: rollup.bytesScanned,
  });
  const manifest = await exportWithAthena(athena, s3, target, event.dt);
  let digest: { sent: boolean; subject: string | null } = { sent: false, subject: null };
  if (target.topicArn && target.digest !== 'off') {
    const { digest: d, owners } = await digestWithAthena(athena, target, event.dt);
    const send = !d.empty || target.digest === 'always';
    const topic = { kind: 'sns', topicArn: target.topicArn } as const;
    if (send) await sendDigest(topic, d, () => new SNSClient({}));
    if (send && target.digestByOwner)
      for (const part of owners) await sendDigest(topic, part, () => new SNSClient({}));
    digest = { sent: send, subject: d.subject };
    logger.info(send ? 'digest sent' : 'nothing changed: no digest', { subject: d.subject });
  }
  let securityHub: (Omit<SecurityHubResult, 'failed'> & { failed: number }) | undefined;
  if (target.securityHub) {
    const changes = await changesWithAthena(athena, target, event.dt);
    const input = await securityHubInputWithAthena(athena, target, event.dt, changes);
    const identity = await new STSClient({}).send(new GetCallerIdentityCommand({}));
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const r = await exportToSecurityHub(
      new SecurityHubClient({}),
      { account: identity.Account ?? '', region, now: new Date().toISOString(), benchmark: target.benchmark },
      input,
    );
    logger.info('findings sent to Security Hub', { ...r, failed: r.failed.length });
    // A refusal is a failure of the step, with every refused finding named in the log.
    if (r.failed.length) {
      logger.error('Security Hub refused findings', { refused: r.failed });
      throw new Error(
        `Security Hub refused ${r.failed.length} finding(s); the first: ${r.failed[0].id}: ${r.failed[0].error}`,
      );
    }
    securityHub = { ...r, failed: 0 };
  }
  for (const q of manifest.queries)
    logger.info('exported', { query: q.name, rows: q.rows, bytesScanned: q.bytesScanned, dt: event.dt });
  return {
    dt: manifest.dt,
    rollup: { key: rollup.key, rows: rollup.rows, findings: rollup.findings },
    queries: manifest.queries.map((q) => ({ name: q.name, rows: q.rows })),
    digest,
    // Null when the securityHub setting is off: the state machine selects it either way.
    securityHub: securityHub ?? null,
  };
}
