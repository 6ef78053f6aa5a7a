// Writes one S3 object from text produced a piece at a time, holding at most one part in memory:
// a single PutObject when it all fits in one part, else a multipart upload (parts of partBytes,
// the last one smaller). An upload left unfinished by a failure is never visible as an object, and
// the bucket's lifecycle rule (incomplete-uploads) removes its parts, so the function needs no
// s3:AbortMultipartUpload.
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

/** S3's smallest part, but for the last one. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

export class S3ObjectWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private uploadId?: string;
  private readonly parts: { ETag: string; PartNumber: number }[] = [];
  /** Bytes written so far. */
  bytes = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly key: string,
    private readonly contentType: string,
    private readonly partBytes = 8 * 1024 * 1024,
  ) {
    if (partBytes < MIN_PART_BYTES) throw new Error(`parts must hold at least ${MIN_PART_BYTES} bytes`);
  }

  async write(text: string): Promise<void> {
    const chunk = Buffer.from(text, 'utf8');
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.bytes += chunk.length;
    if (this.pendingBytes >= this.partBytes) await this.flush();
  }

  private async flush(): Promise<void> {
    const body = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.uploadId ??= (
      await this.s3.send(
        new CreateMultipartUploadCommand({
          Bucket: this.bucket,
          Key: this.key,
          ContentType: this.contentType,
        }),
      )
    ).UploadId;
    const PartNumber = this.parts.length + 1;
    const part = await this.s3.send(
      new UploadPartCommand({
        Bucket: this.bucket,
        Key: this.key,
        UploadId: this.uploadId,
        PartNumber,
        Body: body,
      }),
    );
    this.parts.push({ ETag: part.ETag ?? '', PartNumber });
  }

  /** Finishes the object. */
  async close(): Promise<void> {
    if (this.uploadId === undefined) {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: Buffer.concat(this.pending),
          ContentType: this.contentType,
        }),
      );
      return;
    }
    if (this.pendingBytes > 0) await this.flush();
    await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.key,
        UploadId: this.uploadId,
        MultipartUpload: { Parts: this.parts },
      }),
    );
  }
}
