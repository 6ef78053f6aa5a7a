// Raw evidence is the exact bytes IAM returned, never overwritten: every curated partition is
// built from bytes stored under the key its outcome names. A response that does not parse is
// quarantined under a key of its own, so a later good response is stored and used instead.
import { createHash } from 'node:crypto';
import { quarantineKey, type RawReportRef, rawReportKey } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';

/** A raw object as a run recorded it: the chain of custody `credlake verify` checks. */
export interface EvidenceRecord {
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
  /** The S3 version that holds these bytes, in a versioned bucket. */
  readonly versionId?: string;
}

/** The record with the object's version id, where the store keeps versions. */
export async function withVersion(store: ObjectStore, record: EvidenceRecord): Promise<EvidenceRecord> {
  const versionId = await store.versionOf?.(record.key);
  return versionId ? { ...record, versionId } : record;
}

export function sha256Of(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function digestOf(bytes: Uint8Array): string {
  return sha256Of(bytes).slice(0, 12);
}

export function evidenceOf(key: string, bytes: Uint8Array | string): EvidenceRecord {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
  return { key, size, sha256: sha256Of(bytes) };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.from(a).equals(b);

/** A report's raw bytes as stored: the reference its outcome names, and the bytes that key holds. */
export interface StoredReport {
  readonly record: EvidenceRecord;
  readonly ref: RawReportRef;
  /** The bytes under `ref.key`: the ones given, or those already there (an import's `keep`). */
  readonly bytes: Uint8Array;
  /** False when the key already held bytes and nothing was written. */
  readonly wrote: boolean;
}

/**
 * How a report's bytes are kept, the one way raw report bytes are written:
 * - `evidence`: a collected report. The plain key when it is new or already holds these bytes, a
 *   digest-suffixed key when it holds other bytes: exactly these bytes are always kept.
 * - `import`: an imported report. The plain key when it is new; otherwise the raw copy already
 *   there stands (the same report imported or collected before) and is what gets curated.
 * - `quarantine`: a report that did not parse, kept as evidence of the failure under a key of its own.
 */
export type RawReportPolicy = 'evidence' | 'import' | 'quarantine';

export async function storeRawReport(
  store: ObjectStore,
  report: Omit<RawReportRef, 'key'>,
  bytes: Uint8Array,
  policy: RawReportPolicy,
): Promise<StoredReport> {
  const { dt, accountId, generatedAt } = report;
  const put = (key: string) => store.put(key, bytes, { ifAbsent: true, contentType: 'text/csv' });
  const stored = async (key: string, held: Uint8Array, wrote: boolean): Promise<StoredReport> => ({
    record: await withVersion(store, evidenceOf(key, held)),
    ref: { ...report, key },
    bytes: held,
    wrote,
  });
  if (policy === 'quarantine') {
    const key = quarantineKey(dt, accountId, generatedAt, digestOf(bytes));
    return stored(key, bytes, await put(key));
  }
  const key = rawReportKey(dt, accountId, generatedAt);
  if (await put(key)) return stored(key, bytes, true);
  const existing = await store.get(key);
  if (policy === 'import') return stored(key, existing ?? bytes, false);
  if (existing && sameBytes(existing, bytes)) return stored(key, bytes, false);
  const other = rawReportKey(dt, accountId, generatedAt, digestOf(bytes));
  return stored(other, bytes, await put(other));
}
