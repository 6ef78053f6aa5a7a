// An ObjectStore in memory, counting requests by kind: for unit tests of the run steps.
import type { ObjectStore, PutOptions } from '../../lake/store.ts';

export class MemoryStore implements ObjectStore {
  readonly location = 'memory://lake';
  readonly objects = new Map<string, Uint8Array>();
  readonly requests = { get: 0, put: 0, list: 0, exists: 0, delete: 0 };
  readonly listed: string[] = [];

  async get(key: string) {
    this.requests.get++;
    return this.objects.get(key);
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}) {
    this.requests.put++;
    if (options.ifAbsent && this.objects.has(key)) return false;
    this.objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body);
    return true;
  }

  async list(prefix: string) {
    this.requests.list++;
    this.listed.push(prefix);
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async exists(key: string) {
    this.requests.exists++;
    return this.objects.has(key);
  }

  async delete(key: string) {
    this.requests.delete++;
    this.objects.delete(key);
  }
}
