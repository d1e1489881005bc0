import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { EvidenceStoreError, TransientServiceError } from '../errors.js';
import type { EvidenceStore, ObjectReading, StoredObject } from '../ports/evidence-store.js';

/**
 * User-defined object metadata (`x-amz-meta-casefile-run`) naming the run that wrote the object;
 * S3 returns it with GetObject. https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html
 */
const RUN_METADATA = 'casefile-run';

/**
 * A streamed object goes up in parts of this size: S3 takes 5 MiB to 5 GiB a part, the last one
 * smaller, at most 10,000 parts (so up to 80 GiB here), and an object that fits in one part is one
 * PutObject. https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
 */
export const STREAM_PART_BYTES = 8 * 1024 * 1024;

export interface S3EvidenceStoreOptions {
  client?: S3Client;
  bucket: string;
  /** Where case folders start in the bucket; `cases/` by default. */
  prefix?: string;
  /** Keys per ListObjectsV2 page (S3 caps it at 1000); smaller only to exercise paging. */
  listPageSize?: number;
}

/**
 * Case folders in S3. Objects are encrypted by the bucket's default encryption, so the KMS key
 * and its policy stay in the bucket's configuration rather than in every caller.
 */
export class S3EvidenceStore implements EvidenceStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly listPageSize: number | undefined;
  private readonly runId: string | undefined;

  constructor(private readonly options: S3EvidenceStoreOptions & { runId?: string }) {
    this.client = options.client ?? new S3Client({});
    this.bucket = options.bucket;
    const prefix = options.prefix ?? 'cases/';
    checkRelativeKey(prefix);
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.listPageSize = options.listPageSize;
    this.runId = options.runId;
  }

  forRun(runId: string): S3EvidenceStore {
    return new S3EvidenceStore({ ...this.options, client: this.client, runId });
  }

  locate(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  /**
   * Lands whole with nothing more to do: "Amazon S3 never adds partial objects; if you receive a
   * success response, Amazon S3 added the entire object to the bucket", so a reader of the case
   * folder never meets a half-written file (the local store renames a finished file into place).
   * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
   */
  async put(key: string, body: string | Uint8Array, contentType?: string): Promise<void> {
    await this.send('write', key, () => this.client.send(this.putCommand(key, body, contentType)));
  }

  /**
   * A multipart upload, part by part as the chunks come, so a Lambda holds one part, never the object.
   * A failed upload is aborted; one that cannot even be aborted is removed by the bucket's
   * AbortIncompleteMultipartUpload lifecycle rule (serverless.yml).
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
   */
  async putStream(key: string, body: AsyncIterable<Uint8Array>, contentType?: string): Promise<void> {
    const Key = this.objectKey(key);
    const ContentType = contentType ?? 'application/octet-stream';
    const Metadata = this.runId ? { [RUN_METADATA]: this.runId } : undefined;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let uploadId: string | undefined;
    const parts: { PartNumber: number; ETag: string | undefined }[] = [];
    const uploadPart = async () => {
      if (uploadId === undefined) {
        const created = await this.client.send(
          new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ContentType, Metadata }),
        );
        uploadId = created.UploadId;
      }
      const PartNumber = parts.length + 1;
      const uploaded = await this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key,
          UploadId: uploadId,
          PartNumber,
          Body: Buffer.concat(pending),
        }),
      );
      parts.push({ PartNumber, ETag: uploaded.ETag });
      pending = [];
      pendingBytes = 0;
    };
    try {
      for await (const chunk of body) {
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= STREAM_PART_BYTES) await uploadPart();
      }
      if (uploadId === undefined) {
        await this.client.send(this.putCommand(key, Buffer.concat(pending), ContentType));
        return;
      }
      if (pendingBytes > 0) await uploadPart();
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (error) {
      if (uploadId !== undefined) {
        try {
          await this.client.send(
            new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId }),
          );
        } catch {
          // The bucket's lifecycle rule removes the parts of an upload left incomplete.
        }
      }
      throw this.failure('write', key, error);
    }
  }

  /**
   * A conditional write: with `If-None-Match: *` S3 stores the object only if no object has the key,
   * answers 412 Precondition Failed if one does, and 409 ConditionalRequestConflict while a concurrent
   * write to the key is in flight (retried as transient: the next attempt sees the winner's object).
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
   */
  async putIfAbsent(key: string, body: string | Uint8Array, contentType?: string): Promise<boolean> {
    try {
      await this.client.send(this.putCommand(key, body, contentType, '*'));
      return true;
    } catch (error) {
      if (statusOf(error) === 412 || (error as Error).name === 'PreconditionFailed') return false;
      if (statusOf(error) === 409) {
        throw new TransientServiceError(`Another write to ${this.locate(key)} was in flight; try again.`, {
          cause: error,
        });
      }
      throw this.failure('create', key, error);
    }
  }

  private putCommand(key: string, body: string | Uint8Array, contentType?: string, ifNoneMatch?: '*') {
    return new PutObjectCommand({
      Bucket: this.bucket,
      Key: this.objectKey(key),
      Body: body,
      ContentType:
        contentType ?? (typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream'),
      ...(this.runId ? { Metadata: { [RUN_METADATA]: this.runId } } : {}),
      ...(ifNoneMatch ? { IfNoneMatch: ifNoneMatch } : {}),
    });
  }

  async read(key: string): Promise<ObjectReading> {
    const Key = this.objectKey(key);
    return this.send('read', key, async () => {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      if (!response.Body) throw new EvidenceStoreError(`${this.locate(key)} has no body.`);
      return {
        body: response.Body as unknown as AsyncIterable<Uint8Array>,
        writtenBy: response.Metadata?.[RUN_METADATA] ?? null,
      };
    });
  }

  async get(key: string): Promise<Uint8Array> {
    const Key = this.objectKey(key);
    return this.send('read', key, async () => {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      if (!response.Body) throw new EvidenceStoreError(`${this.locate(key)} has no body.`);
      return response.Body.transformToByteArray();
    });
  }

  async exists(key: string): Promise<boolean> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return true;
    } catch (error) {
      // HEAD responses have no body, so a missing key shows only as its status code.
      if (statusOf(error) === 404) return false;
      throw this.failure('check', key, error);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    checkRelativeKey(prefix);
    const objects: StoredObject[] = [];
    let continuationToken: string | undefined;
    do {
      const token = continuationToken;
      const page = await this.send('list', prefix, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            ContinuationToken: token,
            MaxKeys: this.listPageSize,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) objects.push({ key: object.Key.slice(this.prefix.length), size: object.Size ?? 0 });
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private objectKey(key: string): string {
    checkRelativeKey(key);
    return this.prefix + key;
  }

  private async send<T>(action: string, key: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.failure(action, key, error);
    }
  }

  private failure(action: string, key: string, error: unknown): Error {
    if (error instanceof EvidenceStoreError) return error;
    const message = (error as Error).message;
    if ((error as Error).name === 'NoSuchKey') {
      return new EvidenceStoreError(`${this.locate(key)} does not exist.`, { cause: error });
    }
    const status = statusOf(error);
    if ((error as Error).name === 'SlowDown' || status === 429 || (status !== undefined && status >= 500)) {
      return new TransientServiceError(
        `S3 was busy or unavailable (${action} ${this.locate(key)}): ${message}`,
        {
          cause: error,
        },
      );
    }
    return new EvidenceStoreError(`Could not ${action} ${this.locate(key)}: ${message}`, { cause: error });
  }
}

/**
 * Keys are relative to the case folder root. A leading `/` or a `..` step would leave the root in
 * the filesystem store, so neither store accepts them, and a key means the same in both.
 */
function checkRelativeKey(key: string): void {
  if (key.startsWith('/') || key.split('/').includes('..')) {
    throw new EvidenceStoreError(`Refusing a key outside the case store: '${key}'`);
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
