import type { S3Client } from '@aws-sdk/client-s3';
import { prefixed } from './keys.ts';
import type { ObjectStore, PutOptions } from './store.ts';

/** The S3 SDK, loaded on first use: a command that never touches an S3 lake never loads it. */
const sdk = () => import('@aws-sdk/client-s3');

/**
 * Object Lock retention for the objects written under some zones of the lake (raw evidence):
 * each gets a retain-until date `days` after it is written, in the given mode.
 */
export interface EvidenceRetention {
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  readonly days: number;
  readonly prefixes: readonly string[];
}

/** A lake under an S3 prefix (`s3://bucket/prefix`). */
export class S3Store implements ObjectStore {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    readonly prefix: string,
    private readonly retention?: EvidenceRetention,
  ) {}

  get location(): string {
    return `s3://${this.bucket}/${this.prefix}`.replace(/\/$/, '');
  }

  private lockFor(key: string) {
    const r = this.retention;
    if (!r?.prefixes.some((p) => key.startsWith(p))) return {};
    return {
      ObjectLockMode: r.mode,
      ObjectLockRetainUntilDate: new Date(Date.now() + r.days * 86_400_000),
    } as const;
  }

  /** The bucket key of a lake key. */
  objectKey(key: string): string {
    return this.key(key);
  }

  private key(key: string): string {
    return prefixed(this.prefix, key);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const { GetObjectCommand } = await sdk();
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<boolean> {
    const { PutObjectCommand } = await sdk();
    // Write-if-absent is S3's conditional write (If-None-Match: *), answered 412 when the key
    // exists. No HEAD first: S3 answers a HEAD of a missing key with 404 only to a caller allowed
    // to list the bucket, and the writers of evidence need not be.
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(key),
          Body: body,
          ContentType: options.contentType,
          IfNoneMatch: options.ifAbsent ? '*' : undefined,
          ...this.lockFor(key),
        }),
      );
      return true;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (options.ifAbsent && status === 412) return false;
      throw error;
    }
  }

  /** Every object under a prefix with its size and ETag (changes whenever the object does). */
  async listObjects(prefix: string): Promise<{ key: string; size: number; etag: string }[]> {
    const { ListObjectsV2Command } = await sdk();
    const objects: { key: string; size: number; etag: string }[] = [];
    const strip = this.prefix ? this.prefix.replace(/\/$/, '').length + 1 : 0;
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.key(prefix),
          ContinuationToken: token,
        }),
      );
      for (const o of out.Contents ?? [])
        if (o.Key) objects.push({ key: o.Key.slice(strip), size: o.Size ?? 0, etag: o.ETag ?? '' });
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return objects.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async list(prefix: string): Promise<string[]> {
    const { ListObjectsV2Command } = await sdk();
    const keys: string[] = [];
    const strip = this.prefix ? this.prefix.replace(/\/$/, '').length + 1 : 0;
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.key(prefix),
          ContinuationToken: token,
        }),
      );
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key.slice(strip));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async versionOf(key: string): Promise<string | undefined> {
    const { HeadObjectCommand } = await sdk();
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return out.VersionId && out.VersionId !== 'null' ? out.VersionId : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    const { HeadObjectCommand } = await sdk();
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const { DeleteObjectCommand } = await sdk();
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}
