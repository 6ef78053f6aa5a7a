// The waivers a rollup applies: the lake's waivers file (config/waivers.yaml), read, checked and
// kept under raw/waivers/dt=<day>/ named by its SHA-256, so the day's `waivers` table names the
// exact bytes that were in force. A file that does not read is an error, never "no waivers".
import { createHash } from 'node:crypto';
import { rawWaiversKey, WAIVERS_FILE_KEY } from '../lake/keys.ts';
import type { ObjectStore } from '../lake/store.ts';
import type { AppliedWaivers } from './annotate.ts';
import { parseWaivers } from './waivers.ts';

/** Reads the lake's waivers file and stores the bytes applied to `dt`; null when there is none. */
export async function applyLakeWaivers(store: ObjectStore, dt: string): Promise<AppliedWaivers | null> {
  const body = await store.get(WAIVERS_FILE_KEY);
  if (body === undefined) return null;
  const waivers = parseWaivers(new TextDecoder().decode(body), `${store.location}/${WAIVERS_FILE_KEY}`);
  const sha256 = createHash('sha256').update(body).digest('hex');
  const key = rawWaiversKey(dt, sha256);
  // Named by content: a second rollup of the day with the same file finds it already there.
  await store.put(key, body, { ifAbsent: true, contentType: 'application/yaml' });
  return { waivers, key, sha256 };
}

/** What verify finds wrong with the waivers a day's findings say were applied. */
export interface WaiverProblem {
  readonly kind: 'missing' | 'altered' | 'curated_mismatch';
  readonly key: string;
  readonly detail: string;
}

/**
 * The waivers of a day against their evidence: the stored file each `waivers` row names is in
 * the lake with the SHA-256 recorded, and every waiver a finding names is one of that file's.
 */
export async function checkAppliedWaivers(
  store: ObjectStore,
  dt: string,
  waiverRows: readonly Record<string, unknown>[],
  findingWaiverIds: readonly string[],
): Promise<{ checked: number; problems: WaiverProblem[] }> {
  const problems: WaiverProblem[] = [];
  const sources = new Map(waiverRows.map((r) => [String(r.source_key), String(r.source_sha256)]));
  for (const [key, sha256] of sources) {
    const body = await store.get(key);
    if (!body)
      problems.push({
        kind: 'missing',
        key,
        detail: `the waivers file the findings of ${dt} were judged by is not in the lake`,
      });
    else {
      const found = createHash('sha256').update(body).digest('hex');
      if (found !== sha256)
        problems.push({ kind: 'altered', key, detail: `recorded SHA-256 ${sha256}, found ${found}` });
    }
  }
  const known = new Set(waiverRows.map((r) => String(r.waiver_id)));
  const unknown = [...new Set(findingWaiverIds.filter((id) => !known.has(id)))];
  if (unknown.length)
    problems.push({
      kind: 'curated_mismatch',
      key: `curated/findings/dt=${dt}/`,
      detail: `findings name waiver(s) ${unknown.join(', ')} that the day's waivers table does not hold`,
    });
  return { checked: sources.size, problems };
}
