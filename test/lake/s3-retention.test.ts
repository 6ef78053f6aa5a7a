// Raw evidence written to an S3 lake with Object Lock carries its retention; nothing else does.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { EVIDENCE_ZONES } from '../../lake/keys.ts';
import { S3Store } from '../../lake/s3-store.ts';

describe('S3Store with evidence retention', () => {
  it('writes evidence zones with the lock mode and a retain-until date, other zones without', async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    const store = new S3Store(new S3Client({ region: 'us-east-1' }), 'bucket', 'lake', {
      mode: 'COMPLIANCE',
      days: 10,
      prefixes: EVIDENCE_ZONES,
    });
    const before = Date.now();
    await store.put('raw/credential_report/dt=2024-05-01/account_id=000000000001/generated_at=x.csv', 'a');
    await store.put('curated/credential_report/dt=2024-05-01/account_id=000000000001/data.parquet', 'b');
    const [evidence, curated] = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(evidence.Key).toBe(
      'lake/raw/credential_report/dt=2024-05-01/account_id=000000000001/generated_at=x.csv',
    );
    expect(evidence.ObjectLockMode).toBe('COMPLIANCE');
    const until = (evidence.ObjectLockRetainUntilDate as Date).getTime();
    expect(until).toBeGreaterThanOrEqual(before + 10 * 86_400_000);
    expect(until).toBeLessThan(Date.now() + 10 * 86_400_000 + 1000);
    expect(curated.ObjectLockMode).toBeUndefined();
    s3.restore();
  });
});
