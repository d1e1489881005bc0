import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3EvidenceStore, STREAM_PART_BYTES } from '../../../shared/aws/s3-evidence-store.js';
import { EvidenceStoreError, TransientServiceError } from '../../../shared/errors.js';

// Reads, writes and listing run against s3rver in test/integration; these are the failures it cannot produce.
const s3 = mockClient(S3Client);
const store = new S3EvidenceStore({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'evidence' });

const serviceError = (name: string, httpStatusCode: number) =>
  new S3ServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });

beforeEach(() => {
  s3.reset();
});

describe('S3EvidenceStore failures', () => {
  it('reports S3 slowing it down as TransientServiceError, so the workflow retries the step', async () => {
    s3.on(PutObjectCommand).rejects(serviceError('SlowDown', 503));

    const write = store.put('case-1/case.json', '{}', 'application/json');

    await expect(write).rejects.toBeInstanceOf(TransientServiceError);
    await expect(write).rejects.toThrow(
      'S3 was busy or unavailable (write s3://evidence/cases/case-1/case.json)',
    );
  });

  it('reports an S3 internal error as TransientServiceError', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('InternalError', 500));

    await expect(store.get('case-1/case.json')).rejects.toBeInstanceOf(TransientServiceError);
  });

  it('reports a denied write as EvidenceStoreError, which retrying cannot fix', async () => {
    s3.on(PutObjectCommand).rejects(serviceError('AccessDenied', 403));

    const write = store.put('case-1/case.json', '{}');

    await expect(write).rejects.toBeInstanceOf(EvidenceStoreError);
    await expect(write).rejects.toThrow('Could not write s3://evidence/cases/case-1/case.json');
  });

  it('does not mistake a denied HEAD for a missing object', async () => {
    s3.on(HeadObjectCommand).rejects(serviceError('Forbidden', 403));

    await expect(store.exists('case-1/case.json')).rejects.toBeInstanceOf(EvidenceStoreError);
  });

  it('leaves encryption to the bucket default', async () => {
    s3.on(PutObjectCommand).resolves({});

    await store.put('case-1/report.md', '# Report', 'text/markdown');

    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'evidence',
      Key: 'cases/case-1/report.md',
      ContentType: 'text/markdown',
    });
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).not.toHaveProperty('ServerSideEncryption');
  });
});

describe('claiming a case folder in S3 (conditional writes)', () => {
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
  it('creates the claim with If-None-Match: * and tags it with the run', async () => {
    s3.on(PutObjectCommand).resolves({});

    expect(await store.forRun('exec-1').putIfAbsent('case-1/claim.json', '{}', 'application/json')).toBe(
      true,
    );

    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'evidence',
      Key: 'cases/case-1/claim.json',
      IfNoneMatch: '*',
      Metadata: { 'casefile-run': 'exec-1' },
    });
  });

  it('answers false when S3 says 412 Precondition Failed: another run holds the folder', async () => {
    s3.on(PutObjectCommand).rejects(serviceError('PreconditionFailed', 412));

    expect(await store.putIfAbsent('case-1/claim.json', '{}')).toBe(false);
  });

  it('retries a 409 ConditionalRequestConflict (a concurrent write in flight) as transient', async () => {
    s3.on(PutObjectCommand).rejects(serviceError('ConditionalRequestConflict', 409));

    await expect(store.putIfAbsent('case-1/claim.json', '{}')).rejects.toBeInstanceOf(TransientServiceError);
  });

  it('reads an object as a stream with the run its metadata names, and null for an untagged one', async () => {
    const { sdkStreamMixin } = await import('@smithy/util-stream');
    const { Readable } = await import('node:stream');
    s3.on(GetObjectCommand, { Key: 'cases/case-1/hunts/a.csv' }).callsFake(() => ({
      Body: sdkStreamMixin(Readable.from([Buffer.from('a\r\n')])),
      Metadata: { 'casefile-run': 'exec-1' },
    }));
    s3.on(GetObjectCommand, { Key: 'cases/case-1/hunts/planted.csv' }).callsFake(() => ({
      Body: sdkStreamMixin(Readable.from([Buffer.from('x')])),
    }));

    const tagged = await store.read('case-1/hunts/a.csv');
    const chunks: Uint8Array[] = [];
    for await (const chunk of tagged.body) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('a\r\n');
    expect(tagged.writtenBy).toBe('exec-1');
    expect((await store.read('case-1/hunts/planted.csv')).writtenBy).toBeNull();
  });

  it('leaves writes untagged until a run is named, and tags every write after', async () => {
    s3.on(PutObjectCommand).resolves({});

    await store.put('case-1/a.json', '{}');
    await store.forRun('exec-2').put('case-1/b.json', '{}');

    const [untagged, tagged] = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(untagged?.Metadata).toBeUndefined();
    expect(tagged?.Metadata).toEqual({ 'casefile-run': 'exec-2' });
  });
});

describe('S3EvidenceStore streamed writes', () => {
  const parts = (count: number) =>
    (async function* () {
      for (let i = 0; i < count; i += 1) yield new Uint8Array(STREAM_PART_BYTES);
    })();

  it('aborts the multipart upload when a part fails, and reports the failure', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
    s3.on(UploadPartCommand).resolvesOnce({ ETag: '"p1"' }).rejects(serviceError('InternalError', 500));

    const write = store.forRun('exec-1').putStream('case-1/inventory-files.jsonl', parts(3));

    await expect(write).rejects.toBeInstanceOf(TransientServiceError);
    expect(s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'evidence', Key: 'cases/case-1/inventory-files.jsonl', UploadId: 'upload-1' },
    ]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input.Metadata).toEqual({
      'casefile-run': 'exec-1',
    });
  });

  it('never holds more than a part: each part goes up before the next chunk is read', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-2' });
    s3.on(UploadPartCommand).resolves({ ETag: '"p"' });
    s3.on(CompleteMultipartUploadCommand).resolves({});
    let read = 0;
    const uploadedWhenRead: number[] = [];
    const body = (async function* () {
      for (; read < 4; read += 1) {
        uploadedWhenRead.push(s3.commandCalls(UploadPartCommand).length);
        yield new Uint8Array(STREAM_PART_BYTES);
      }
    })();

    await store.putStream('case-1/manifest-inputs.jsonl', body);

    expect(uploadedWhenRead).toEqual([0, 1, 2, 3]);
    expect(
      s3
        .commandCalls(CompleteMultipartUploadCommand)[0]
        ?.args[0].input.MultipartUpload?.Parts?.map((p) => p.PartNumber),
    ).toEqual([1, 2, 3, 4]);
  });
});
