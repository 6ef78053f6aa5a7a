// Raw evidence is the exact bytes IAM returned, never overwritten: every curated partition is
// built from bytes stored under the key its outcome names. A response that does not parse is
// quarantined under a key of its own, so a later good response is stored and used instead.
import { createHash } from 'node:crypto';
import { quarantineKey, rawReportKey } from '../lake/keys.ts';
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

/**
 * Stores a report's bytes and returns the key that holds exactly them: the plain key when it is
 * new or already holds these bytes, a digest-suffixed key when it holds other bytes.
 */
export async function storeReport(
  store: ObjectStore,
  dt: string,
  accountId: string,
  generatedAt: number,
  bytes: Uint8Array,
): Promise<EvidenceRecord> {
  const key = rawReportKey(dt, accountId, generatedAt);
  if (await store.put(key, bytes, { ifAbsent: true, contentType: 'text/csv' }))
    return withVersion(store, evidenceOf(key, bytes));
  const existing = await store.get(key);
  if (existing && sameBytes(existing, bytes)) return withVersion(store, evidenceOf(key, bytes));
  const other = rawReportKey(dt, accountId, generatedAt, digestOf(bytes));
  await store.put(other, bytes, { ifAbsent: true, contentType: 'text/csv' });
  return withVersion(store, evidenceOf(other, bytes));
}

/** Keeps a report that did not parse, as evidence of the failure; returns its key. */
export async function quarantineReport(
  store: ObjectStore,
  dt: string,
  accountId: string,
  generatedAt: number,
  bytes: Uint8Array,
): Promise<EvidenceRecord> {
  const key = quarantineKey(dt, accountId, generatedAt, digestOf(bytes));
  await store.put(key, bytes, { ifAbsent: true, contentType: 'text/csv' });
  return withVersion(store, evidenceOf(key, bytes));
}
