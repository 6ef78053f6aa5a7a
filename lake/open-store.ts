import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { LocalStore } from './local-store.ts';
import { S3Store } from './s3-store.ts';
import type { ObjectStore } from './store.ts';

/** Where a local lake goes by default. Not `./lake`: that is the source folder of this module. */
export const DEFAULT_LAKE = './lake-data';

/** Opens a lake from a folder path or an `s3://bucket/prefix` URL. */
export function openStore(location: string, s3Config: S3ClientConfig = {}): ObjectStore {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (!m) return new LocalStore(location);
  return new S3Store(new S3Client(s3Config), m[1], m[2]);
}
