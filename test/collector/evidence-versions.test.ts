// In a versioned bucket the chain of custody names the version that holds each raw object: a
// later write of the same key, even with the same bytes, is a different object to an auditor.
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { storeRawReport } from '../../collector/evidence.ts';
import { writeManifest } from '../../collector/journal.ts';
import { checkEvidence } from '../../collector/verify.ts';
import { S3Store } from '../../lake/s3-store.ts';
import { MemoryStore } from '../helpers/memory-store.ts';

/** A MemoryStore that keeps a version id per write, as a versioned bucket does. */
class VersionedStore extends MemoryStore {
  private readonly versions = new Map<string, number>();
  override async put(key: string, body: Uint8Array | string, options = {}) {
    const wrote = await super.put(key, body, options);
    if (wrote) this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
    return wrote;
  }
  async versionOf(key: string) {
    const v = this.versions.get(key);
    return v ? `v${v}` : undefined;
  }
}

describe('version ids in the chain of custody', () => {
  it('records the version of each raw object and flags one written again', async () => {
    const store = new VersionedStore();
    const bytes = new TextEncoder().encode('user,arn\n');
    const { record } = await storeRawReport(
      store,
      { dt: '2024-05-01', accountId: '000000000001', generatedAt: Date.parse('2024-05-01T06:00:00Z') },
      bytes,
      'evidence',
    );
    expect(record.versionId).toBe('v1');
    await writeManifest(store, {
      runId: 'r1',
      dt: '2024-05-01',
      startedAt: '',
      finishedAt: '',
      interrupted: false,
      outcomes: [],
      evidence: [record],
    });
    expect((await checkEvidence(store, '2024-05-01')).problems).toEqual([]);
    await store.put(record.key, bytes);
    const problems = (await checkEvidence(store, '2024-05-01')).problems;
    expect(problems).toEqual([
      {
        kind: 'altered',
        key: record.key,
        detail: 'recorded version v1, current version v2: the object was written again',
      },
    ]);
  });

  it("reads S3's version id of an object (none for an unversioned one)", async () => {
    const s3 = mockClient(S3Client);
    s3.on(HeadObjectCommand, { Key: 'lake/a' }).resolves({ VersionId: 'abc123' });
    s3.on(HeadObjectCommand, { Key: 'lake/b' }).resolves({ VersionId: 'null' });
    const store = new S3Store(new S3Client({ region: 'us-east-1' }), 'bucket', 'lake');
    expect(await store.versionOf('a')).toBe('abc123');
    expect(await store.versionOf('b')).toBeUndefined();
    s3.restore();
  });
});
