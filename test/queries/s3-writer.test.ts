// The exports step streams each CSV into S3 through S3ObjectWriter: one PutObject when it fits in a
// part, a multipart upload when it does not, against the S3-compatible server; and a multipart
// upload needs what a PutObject needs in the IAM test world.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_PART_BYTES, S3ObjectWriter } from '../../queries/athena/s3-writer.ts';
import { s3Actions } from '../helpers/enforcing-proxy.ts';
import { type S3Server, startS3Server } from '../helpers/s3-server.ts';

let s3: S3Server;
/** The commands the client sent, by name. */
const sent: string[] = [];
beforeAll(async () => {
  s3 = await startS3Server(['writer-bucket']);
  s3.client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize' },
  );
});
afterAll(async () => {
  await s3?.close();
});

const read = async (key: string) => {
  const object = await s3.client.send(new GetObjectCommand({ Bucket: 'writer-bucket', Key: key }));
  return object.Body!.transformToString();
};

describe('S3ObjectWriter', () => {
  it('writes a small object with one PutObject', async () => {
    sent.length = 0;
    const writer = new S3ObjectWriter(s3.client, 'writer-bucket', 'small.csv', 'text/csv', MIN_PART_BYTES);
    await writer.write('a,b\r\n');
    await writer.write('1,2\r\n');
    await writer.close();
    expect(sent).toEqual(['PutObjectCommand']);
    expect(await read('small.csv')).toBe('a,b\r\n1,2\r\n');
  });

  it('writes a larger object in parts of the given size, byte for byte', async () => {
    const line = `${'x'.repeat(1023)}\n`;
    const lines = Math.ceil((2.5 * MIN_PART_BYTES) / line.length);
    sent.length = 0;
    const writer = new S3ObjectWriter(s3.client, 'writer-bucket', 'large.csv', 'text/csv', MIN_PART_BYTES);
    for (let i = 0; i < lines; i++) await writer.write(line);
    await writer.close();
    expect(sent).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ]);
    const text = await read('large.csv');
    expect(text.length).toBe(lines * line.length);
    expect(text).toBe(line.repeat(lines));
    expect(writer.bytes).toBe(lines * line.length);
  });

  it('refuses a part smaller than S3 allows', () => {
    expect(() => new S3ObjectWriter(s3.client, 'b', 'k', 'text/csv', 1024)).toThrow(/at least/);
  });
});

describe('the IAM test world', () => {
  it('asks s3:PutObject for every request of a multipart upload, s3:AbortMultipartUpload to give one up', () => {
    const ask = (method: string, query: string) =>
      s3Actions(method, new URL(`http://s3/bucket/exports/q.csv${query}`)).asks.map((a) => a.action);
    expect(ask('POST', '?uploads')).toEqual(['s3:PutObject']);
    expect(ask('PUT', '?partNumber=1&uploadId=u')).toEqual(['s3:PutObject']);
    expect(ask('POST', '?uploadId=u')).toEqual(['s3:PutObject']);
    expect(ask('DELETE', '?uploadId=u')).toEqual(['s3:AbortMultipartUpload']);
  });
});
