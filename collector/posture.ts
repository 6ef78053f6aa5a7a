// Account posture and user privileges, read beside the credential report. A failure here marks
// only this part of the account (posture_failed); the report stands.
import { sideBySide } from '../common/side-by-side.ts';
import { writeCurated } from '../curation/curated-object.ts';
import { accountPostureObject, type PostureRecord, privilegesObjects } from '../curation/posture.ts';
import { isRawPostureKey, rawPostureKey, rawPosturePrefix } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import { getJsonAll } from '../lake/store.ts';
import type { CallWrapper, PostureApi } from './api.ts';
import { type EvidenceRecord, evidenceOf, withVersion } from './evidence.ts';

export type { PostureRecord };

export interface PostureBase {
  accountId: string;
  accountName: string | null;
  runId: string;
  readAt: string;
  centralizedRootAccess: boolean | null;
}

/**
 * The account's posture as IAM answers it, nothing stored yet. The authorization-details pages go
 * through `chainCall` (the collector gives them a priority of their own), every other call through
 * `call`.
 */
export async function readPostureRecord(
  api: PostureApi,
  call: CallWrapper,
  base: PostureBase,
  chainCall: CallWrapper = call,
): Promise<PostureRecord> {
  // The account's settings and its users' privileges side by side: the privileges are the
  // longest chain of pages, and an account's reads one after another made the run's end wait on
  // its last accounts' calls.
  const [posture, details] = await sideBySide(
    () => api.readPosture(call),
    () => api.readAuthorizationDetails(chainCall),
  );
  return {
    accountId: base.accountId,
    accountName: base.accountName,
    runId: base.runId,
    readAt: base.readAt,
    posture: { ...posture, centralizedRootAccess: base.centralizedRootAccess },
    details,
  };
}

/** Stores a posture record as raw evidence (never over an earlier one) and its privileges. */
export async function storePosture(
  store: ObjectStore,
  dt: string,
  record: PostureRecord,
): Promise<EvidenceRecord> {
  const key = rawPostureKey(dt, record.accountId);
  const text = JSON.stringify(record);
  const wrote = await store.put(key, text, { ifAbsent: true, contentType: 'application/json' });
  // Raw evidence is never overwritten: when a record was already there, it is the one that stands.
  const found = wrote ? undefined : await store.get(key);
  const stored = found ? (JSON.parse(new TextDecoder().decode(found)) as PostureRecord) : record;
  await writeCurated(store, privilegesObjects(dt, stored));
  return withVersion(store, evidenceOf(key, found ?? text));
}

/** Rebuilds `curated/account_posture/dt=...` from every posture read that day. */
export async function writeAccountPosture(store: ObjectStore, dt: string): Promise<number> {
  const keys = (await store.list(rawPosturePrefix(dt))).filter(isRawPostureKey);
  const records = (await getJsonAll<PostureRecord>(store, keys)).filter((r): r is PostureRecord => !!r);
  const object = accountPostureObject(dt, records);
  await writeCurated(store, [object]);
  return object.rows;
}
