// What curation produces: objects of the curated zone, each a key and its Parquet bytes. The
// stage's pure functions return them; writing is one call, the same for every caller.
import type { ObjectStore } from '../lake/store.ts';

export interface CuratedObject {
  readonly key: string;
  readonly body: Uint8Array;
  /** Rows in the file. */
  readonly rows: number;
}

/** Writes curated objects, each replacing its key whole. */
export async function writeCurated(store: ObjectStore, objects: readonly CuratedObject[]): Promise<void> {
  for (const o of objects) await store.put(o.key, o.body);
}
