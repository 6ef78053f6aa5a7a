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
