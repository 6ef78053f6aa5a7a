// The curation of raw posture records (what IAM said of an account's posture and privileges,
// kept as read): one account's `user_privileges` and `user_tags` partitions, and a day's `account_posture` file.
// Pure. A policy document that is not JSON is a PolicyDocumentError naming it.
import { curatedKey } from '../lake/keys.ts';
import { encodeParquet } from '../transforms/parquet.ts';
import {
  type AccountPosture,
  type AuthorizationDetails,
  postureRow,
  privilegeRows,
  userTagRows,
} from '../transforms/posture.ts';
import { TABLES } from '../transforms/schema.ts';
import type { CuratedObject } from './curated-object.ts';

/** The raw posture record of one account, as stored under raw/posture/. */
export interface PostureRecord {
  readonly accountId: string;
  readonly accountName: string | null;
  readonly runId: string;
  readonly readAt: string;
  readonly posture: AccountPosture;
  readonly details: AuthorizationDetails;
}

/** One account's `user_privileges` and `user_tags` partitions, from its posture record. */
export function privilegesObjects(dt: string, record: PostureRecord): CuratedObject[] {
  const rows = privilegeRows(record.details, record.accountName, record.runId);
  const tags = userTagRows(record.details, record.accountName, record.runId);
  return [
    {
      key: curatedKey('user_privileges', dt, record.accountId),
      body: encodeParquet(TABLES.user_privileges, rows),
      rows: rows.length,
    },
    {
      key: curatedKey('user_tags', dt, record.accountId),
      body: encodeParquet(TABLES.user_tags, tags),
      rows: tags.length,
    },
  ];
}

export function accountPostureObject(dt: string, records: readonly PostureRecord[]): CuratedObject {
  const rows = records
    .map((r) => postureRow(r.accountId, r.accountName, r.runId, r.posture))
    .sort((a, b) => String(a.account_id).localeCompare(String(b.account_id)));
  return {
    key: curatedKey('account_posture', dt),
    body: encodeParquet(TABLES.account_posture, rows),
    rows: rows.length,
  };
}
