// Account posture and user privileges, read beside the credential report. A failure here marks
// only this part of the account (posture_failed); the report stands.
import { curatedKey, isRawPostureKey, rawPostureKey, rawPosturePrefix } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import { getJson } from '../lake/store.ts';
import { encodeParquet } from '../transforms/parquet.ts';
import {
  type AccountPosture,
  type AuthorizationDetails,
  postureRow,
  privilegeRows,
} from '../transforms/posture.ts';
import { TABLES } from '../transforms/schema.ts';
import type { CallWrapper, PostureApi } from './api.ts';
import { type EvidenceRecord, evidenceOf, withVersion } from './evidence.ts';

export interface PostureRecord {
  readonly accountId: string;
  readonly accountName: string | null;
  readonly runId: string;
  readonly readAt: string;
  readonly posture: AccountPosture;
  readonly details: AuthorizationDetails;
}

export async function collectPosture(
  store: ObjectStore,
  dt: string,
  api: PostureApi,
  call: CallWrapper,
  base: {
    accountId: string;
    accountName: string | null;
    runId: string;
    readAt: string;
    centralizedRootAccess: boolean | null;
  },
): Promise<EvidenceRecord> {
  const posture = await api.readPosture(call);
  const details = await api.readAuthorizationDetails(call);
  const record: PostureRecord = {
    accountId: base.accountId,
    accountName: base.accountName,
    runId: base.runId,
    readAt: base.readAt,
    posture: { ...posture, centralizedRootAccess: base.centralizedRootAccess },
    details,
  };
  const key = rawPostureKey(dt, base.accountId);
  const text = JSON.stringify(record);
  const wrote = await store.put(key, text, { ifAbsent: true, contentType: 'application/json' });
  // Raw evidence is never overwritten: when a record was already there, it is the one that stands.
  const found = wrote ? undefined : await store.get(key);
  const stored = found ? (JSON.parse(new TextDecoder().decode(found)) as PostureRecord) : record;
  await store.put(
    curatedKey('user_privileges', dt, base.accountId),
    encodeParquet(TABLES.user_privileges, privilegeRows(stored.details, stored.accountName, stored.runId)),
  );
  return withVersion(store, evidenceOf(key, found ?? text));
}

/** Rebuilds `curated/account_posture/dt=...` from every posture read that day. */
export async function writeAccountPosture(store: ObjectStore, dt: string): Promise<number> {
  const keys = (await store.list(rawPosturePrefix(dt))).filter(isRawPostureKey);
  const records = (await Promise.all(keys.map((k) => getJson<PostureRecord>(store, k)))).filter(
    (r): r is PostureRecord => !!r,
  );
  const rows = records
    .map((r) => postureRow(r.accountId, r.accountName, r.runId, r.posture))
    .sort((a, b) => String(a.account_id).localeCompare(String(b.account_id)));
  await store.put(curatedKey('account_posture', dt), encodeParquet(TABLES.account_posture, rows));
  return rows.length;
}
