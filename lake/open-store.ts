import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { LocalStore } from './local-store.ts';
import { S3Store } from './s3-store.ts';
import type { ObjectStore } from './store.ts';

/** Where a local lake goes by default. Not `./lake`: that is the source folder of this module. */
export const DEFAULT_LAKE = './lake-data';

/**
 * Opens a lake from a folder path or an `s3://bucket/prefix` URL. An S3 lake works without a
 * configured region: the region given, else the environment's, else us-east-1, and S3's redirect
 * to the bucket's own region is followed.
 */
export async function openStore(location: string, s3Config: S3ClientConfig = {}): Promise<ObjectStore> {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (!m) return new LocalStore(location);
  const region = s3Config.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
  // The SDK is loaded only for an S3 lake.
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Store(new S3Client({ followRegionRedirects: true, ...s3Config, region }), m[1], m[2]);
}
