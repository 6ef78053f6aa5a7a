import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { constants } from 'node:fs';
import {
  access,
  link,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { ObjectStore, PutOptions } from './store.ts';

/**
 * A lake in a local folder. Writes go to a temporary file first and are renamed (or hard-linked,
 * for write-if-absent) into place, so an interrupted run never leaves a half-written object.
 */
export class LocalStore implements ObjectStore {
  /**
   * Folders this store has made or found: a write into one skips asking for it again (a run writes
   * thousands of objects into a few hundred folders). A folder removed since is made again.
   */
  private readonly folders = new Set<string>();

  constructor(readonly root: string) {}

  get location(): string {
    return this.root;
  }

  private path(key: string): string {
    if (key.split('/').some((part) => part === '..')) throw new Error(`invalid lake key ${key}`);
    return join(this.root, ...key.split('/'));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.path(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<boolean> {
    try {
      return await this.write(key, body, options);
    } catch (error) {
      throw await writeError(error as NodeJS.ErrnoException, this.root, this.path(key));
    }
  }

  private async write(key: string, body: Uint8Array | string, options: PutOptions): Promise<boolean> {
    const target = this.path(key);
    const folder = dirname(target);
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    if (!this.folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.folders.add(folder);
    }
    try {
      await writeFile(temp, body);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // The folder was removed after this store last wrote to it.
      await mkdir(folder, { recursive: true });
      await writeFile(temp, body);
    }
    if (!options.ifAbsent) {
      await rename(temp, target);
      return true;
    }
    try {
      await link(temp, target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await unlink(temp);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const dir = this.path(prefix.replace(/[^/]*$/, ''));
    const files: string[] = [];
    await walk(dir, files);
    return files
      .map((p) => relative(this.root, p).split(sep).join('/'))
      .filter((k) => k.startsWith(prefix) && !k.endsWith('.tmp'))
      .sort();
  }

  async exists(key: string): Promise<boolean> {
    const info = await stat(this.path(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    return info?.isFile() ?? false;
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  /**
   * Removes the lock's folder when it is empty (an object store has no empty folders), and the
   * lake's own folder when `root` too is empty of files: a command that wrote nothing leaves
   * nothing behind.
   */
  async removeEmptyFolders(root: boolean): Promise<void> {
    this.folders.clear();
    const empty = async (dir: string): Promise<boolean> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
      if (!entries) return false;
      for (const e of entries) if (!e.isDirectory() || !(await empty(join(dir, e.name)))) return false;
      return true;
    };
    const locks = this.path('locks');
    if (await empty(locks)) await rm(locks, { recursive: true, force: true });
    if (root && (await empty(this.root))) await rm(this.root, { recursive: true, force: true });
  }

  /**
   * Removes the temporary files of writes that never finished (a process killed between writing
   * and renaming). Only for a caller that holds the lake's lock: another writer's are in use.
   */
  async removeUnfinishedWrites(): Promise<string[]> {
    const files: string[] = [];
    await walk(this.root, files, true);
    const unfinished = files.filter((f) => /\.[0-9a-f]{12}\.tmp$/.test(f));
    for (const f of unfinished) await rm(f, { force: true });
    return unfinished.map((p) => relative(this.root, p).split(sep).join('/'));
  }
}

/** Why a write into the lake failed, in words (a read-only mount makes mkdir say ENOENT). */
export class LakeWriteError extends Error {
  override readonly name = 'LakeWriteError';
}

const REASONS: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
};

async function writeError(error: NodeJS.ErrnoException, root: string, path: string): Promise<Error> {
  let code = error.code ?? '';
  if (code === 'ENOENT') {
    // The folders could not be made: ask the nearest folder that exists why.
    let dir = dirname(path);
    while (dir !== dirname(dir) && !(await stat(dir).catch(() => undefined))) dir = dirname(dir);
    code = await access(dir, constants.W_OK).then(
      () => code,
      (e: NodeJS.ErrnoException) => e.code ?? code,
    );
  }
  const reason = REASONS[code];
  if (!reason) return error;
  return new LakeWriteError(`cannot write to the lake at ${root}: ${reason} (${code}, writing ${path})`, {
    cause: error,
  });
}

async function walk(dir: string, out: string[], all = false): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, out, all);
    else if (entry.isFile()) out.push(full);
  }
}
