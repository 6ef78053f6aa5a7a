import { S3Store } from '/work/main/lake/s3-store.ts';
import { startS3Server } from '/work/main/test/helpers/s3-server.ts';

const s3 = await startS3Server(['b']);
const store = new S3Store(s3.client, 'b', '');
for (let i = 0; i < 2500; i++)
  await store.put(`curated/x/dt=2026-01-01/account_id=${String(i).padStart(12, '0')}/data.parquet`, 'abc');
try {
  const keys = await store.list('curated/');
  console.log('listed', keys.length);
  for (const k of keys) await store.get(k);
  console.log('ok');
} catch (e) {
  console.log('ERR', e);
}
await s3.close();
