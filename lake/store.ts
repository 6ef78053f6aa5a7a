// The one I/O interface of the lake. A local folder and an S3 prefix both implement it.

export interface PutOptions {
  /** Write only when the key does not exist yet (raw evidence is never overwritten). */
  readonly ifAbsent?: boolean;
  readonly contentType?: string;
}

export interface ObjectStore {
  /** Human-readable location, e.g. `./lake-data` or `s3://bucket/prefix`. */
  readonly location: string;
  get(key: string): Promise<Uint8Array | undefined>;
  /** Writes an object atomically; returns false when `ifAbsent` found it already there. */
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<boolean>;
  /** Every key under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** The current version id of an object, where the store keeps versions (a versioned bucket). */
  versionOf?(key: string): Promise<string | undefined>;
}

export async function getText(store: ObjectStore, key: string): Promise<string | undefined> {
  const bytes = await store.get(key);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

export async function getJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  const text = await getText(store, key);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

/** How many objects getJsonAll reads at once. */
export const READ_CONCURRENCY = 32;

/**
 * Reads many JSON objects, in the keys' order, at most `concurrency` at a time: a run's journal
 * holds an object per account, and ten thousand reads at once overrun any client's sockets.
 */
export async function getJsonAll<T>(
  store: ObjectStore,
  keys: readonly string[],
  concurrency = READ_CONCURRENCY,
): Promise<(T | undefined)[]> {
  const out: (T | undefined)[] = new Array(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      out[i] = await getJson<T>(store, keys[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
  return out;
}
