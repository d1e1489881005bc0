import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3EvidenceStore } from '../../shared/aws/s3-evidence-store.js';
import type { CaseContext } from '../../shared/domain/case.js';
import { caseFiles } from '../../shared/domain/case-files.js';
import { EvidenceStoreError } from '../../shared/errors.js';
import type { CaseAdapters } from '../../shared/ports/case-adapters.js';
import { createCaseFile, readCaseFile, writeCaseFile } from '../../shared/ports/evidence-store.js';
import { verifyCase } from '../../shared/workflow/verify-case.js';
import { writeManifest } from '../../shared/workflow/write-manifest.js';

/**
 * s3rver runs in a child process: it encrypts ListObjectsV2 continuation tokens with DES, which
 * Node 22's OpenSSL 3 only offers in the legacy provider, and that provider can be enabled only
 * when a process starts. It stops when its stdin closes. s3rver does not check SigV4 signatures,
 * so the SDK's signed requests pass without `allowMismatchedSignatures`; the access key must be
 * its built-in `S3RVER` account.
 */
const S3RVER_MAIN = `
const S3rver = require('s3rver');
const server = new S3rver({ address: '127.0.0.1', port: 0, directory: process.env.S3RVER_DIRECTORY, silent: true });
server.run().then((address) => console.log(JSON.stringify(address)));
process.stdin.on('end', () => server.close().then(() => process.exit(0)));
process.stdin.resume();
`;

const BUCKET = 'casefile-evidence';
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

let directory: string;
let server: ChildProcessByStdio<Writable, Readable, null>;
let endpoint: string;
let client: S3Client;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'casefile-s3rver-'));
  server = spawn(process.execPath, ['--openssl-legacy-provider', '-e', S3RVER_MAIN], {
    cwd: process.cwd(),
    env: { ...process.env, S3RVER_DIRECTORY: directory },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [firstLine] = (await once(server.stdout, 'data')) as [Buffer];
  endpoint = `http://127.0.0.1:${(JSON.parse(firstLine.toString()) as { port: number }).port}`;
  client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  client?.destroy();
  if (server && server.exitCode === null) {
    const exited = once(server, 'exit');
    server.stdin.end();
    await exited;
  }
  await rm(directory, { recursive: true, force: true });
});

const store = (options: { prefix?: string; listPageSize?: number } = {}) =>
  new S3EvidenceStore({ client, bucket: BUCKET, ...options });

describe('S3EvidenceStore against s3rver', () => {
  it('writes under the store prefix with the content type, and reads the same bytes back', async () => {
    const evidence = store();

    const manifest = caseFiles('case-put').manifest;
    const written = {
      caseId: 'case-put',
      runId: 'exec-1',
      algorithm: 'SHA-256' as const,
      createdAt: '2024-05-01T00:00:00.000Z',
      engine: { name: 'athena', version: null },
      files: [],
      inputFiles: 0,
      inputLocations: ['s3://logs/AWSLogs/'],
      queries: [],
      notWrittenByThisRun: [],
    };
    await writeCaseFile(evidence, manifest, written);

    const raw = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'cases/case-put/manifest.json' }),
    );
    expect(raw.ContentType).toBe('application/json');
    expect(await readCaseFile(evidence, manifest)).toEqual(written);
    expect(evidence.locate('case-put/case.json')).toBe(`s3://${BUCKET}/cases/case-put/case.json`);
  });

  it('keeps binary bodies byte for byte', async () => {
    const evidence = store();
    const bytes = Uint8Array.from({ length: 512 }, (_, i) => (i * 37) % 256);

    await evidence.put('case-bin/export.gz', bytes, 'application/gzip');

    expect(await evidence.get('case-bin/export.gz')).toEqual(bytes);
    const head = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'cases/case-bin/export.gz' }),
    );
    expect(head.ContentType).toBe('application/gzip');
    expect(head.ContentLength).toBe(512);
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html: parts of 5 MiB to 5 GiB, the last one smaller.
  it('writes a stream of chunks as a multipart upload of 8 MiB parts, tagged with the run, and reads the same bytes back', async () => {
    const evidence = store().forRun('exec-stream');
    const chunk = (i: number) => Buffer.alloc(1024 * 1024, i % 251);
    const chunks = async function* () {
      for (let i = 0; i < 17; i += 1) yield chunk(i);
    };

    await evidence.putStream('case-stream/inventory-files.jsonl', chunks(), 'application/x-ndjson');

    const expected = Buffer.concat(Array.from({ length: 17 }, (_, i) => chunk(i)));
    expect(Buffer.from(await evidence.get('case-stream/inventory-files.jsonl')).equals(expected)).toBe(true);
    const head = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'cases/case-stream/inventory-files.jsonl' }),
    );
    expect(head.ContentType).toBe('application/x-ndjson');
    expect(head.ContentLength).toBe(17 * 1024 * 1024);
    expect((await evidence.read('case-stream/inventory-files.jsonl')).writtenBy).toBe('exec-stream');
  });

  it('writes a stream shorter than a part as one object', async () => {
    const evidence = store();
    await evidence.putStream(
      'case-stream/short.jsonl',
      (async function* () {
        yield Buffer.from('{"a":1}\n');
        yield Buffer.from('{"a":2}\n');
      })(),
    );
    expect(new TextDecoder().decode(await evidence.get('case-stream/short.jsonl'))).toBe(
      '{"a":1}\n{"a":2}\n',
    );
  });

  it('labels text without a content type as UTF-8 text', async () => {
    const evidence = store();

    await evidence.put('case-text/notes.txt', 'Zugriff verweigert — ünïcödé');

    const head = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'cases/case-text/notes.txt' }),
    );
    expect(head.ContentType).toBe('text/plain; charset=utf-8');
    expect(new TextDecoder().decode(await evidence.get('case-text/notes.txt'))).toBe(
      'Zugriff verweigert — ünïcödé',
    );
  });

  it('says whether a key exists', async () => {
    const evidence = store();
    await evidence.put('case-exists/summary.json', '{}', 'application/json');

    expect(await evidence.exists('case-exists/summary.json')).toBe(true);
    expect(await evidence.exists('case-exists/report.md')).toBe(false);
  });

  it('fails a read of a missing key with EvidenceStoreError naming the object', async () => {
    const read = store().get('case-missing/case.json');

    await expect(read).rejects.toBeInstanceOf(EvidenceStoreError);
    await expect(read).rejects.toThrow(`s3://${BUCKET}/cases/case-missing/case.json does not exist.`);
  });

  it('lists every object under a prefix across pages, relative to the store prefix and sorted', async () => {
    const listRequests: string[] = [];
    const countingClient = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
    countingClient.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'ListObjectsV2Command') listRequests.push(context.commandName);
        return next(args);
      },
      { step: 'initialize' },
    );
    const evidence = new S3EvidenceStore({ client: countingClient, bucket: BUCKET, listPageSize: 2 });
    const keys = ['hunts/b.json', 'hunts/a.csv', 'case.json', 'hunts/a.json', 'tables.json'];
    for (const key of keys) await evidence.put(`case-list/${key}`, key);
    await evidence.put('case-list-other/case.json', 'another case that shares the name prefix');

    const listed = await evidence.list('case-list/');

    expect(listRequests).toHaveLength(3);
    expect(listed).toEqual(
      [...keys]
        .sort()
        .map((key) => ({ key: `case-list/${key}`, size: new TextEncoder().encode(key).length })),
    );
    expect(await evidence.list('case-list/hunts/')).toEqual([
      { key: 'case-list/hunts/a.csv', size: 11 },
      { key: 'case-list/hunts/a.json', size: 12 },
      { key: 'case-list/hunts/b.json', size: 12 },
    ]);
    expect(await evidence.list('case-none/')).toEqual([]);
    countingClient.destroy();
  });

  it('keeps stores with different prefixes apart', async () => {
    await store({ prefix: 'tenant-a' }).put('case-1/case.json', 'a');
    await store({ prefix: 'tenant-b/' }).put('case-1/case.json', 'b');

    expect(await store({ prefix: 'tenant-a/' }).list('')).toEqual([{ key: 'case-1/case.json', size: 1 }]);
    expect(new TextDecoder().decode(await store({ prefix: 'tenant-b' }).get('case-1/case.json'))).toBe('b');
  });

  it('turns other S3 failures into EvidenceStoreError', async () => {
    const wrongBucket = new S3EvidenceStore({ client, bucket: 'no-such-bucket' });

    await expect(wrongBucket.put('case-1/case.json', '{}')).rejects.toBeInstanceOf(EvidenceStoreError);
    await expect(wrongBucket.list('case-1/')).rejects.toBeInstanceOf(EvidenceStoreError);
  });

  it.each(['../escape.json', 'case-1/../../escape.json', '/case-1/case.json'])(
    'refuses the key %j, which would leave the case store, before calling S3',
    async (key) => {
      const evidence = store();

      await expect(evidence.put(key, 'x')).rejects.toThrow(`Refusing a key outside the case store: '${key}'`);
      await expect(evidence.get(key)).rejects.toBeInstanceOf(EvidenceStoreError);
      await expect(evidence.exists(key)).rejects.toBeInstanceOf(EvidenceStoreError);
      await expect(evidence.list(key)).rejects.toBeInstanceOf(EvidenceStoreError);
      expect(() => evidence.locate(key)).toThrow(EvidenceStoreError);
    },
  );

  it('refuses a store prefix that leaves the bucket root', () => {
    expect(() => new S3EvidenceStore({ client, bucket: BUCKET, prefix: '../cases/' })).toThrow(
      EvidenceStoreError,
    );
  });
});

describe('a case manifest in S3', () => {
  it('streams the hashes of what the run wrote, leaves out an object planted beside them, and verifies', async () => {
    const evidence = store({ prefix: 'manifests/' });
    const run = evidence.forRun('exec-7');
    const files = caseFiles('case-m');
    const claim = {
      caseId: 'case-m',
      runId: 'exec-7',
      host: 'lambda',
      pid: 1,
      claimedAt: '2024-05-01T00:00:00Z',
    };
    expect(await createCaseFile(run, files.claim, claim)).toBe(true);
    // s3rver ignores If-None-Match; S3's own 412 answer is covered by the unit tests.
    await writeCaseFile(run, files.caseRecord, {
      caseId: 'case-m',
      status: 'COMPLETED',
      runId: 'exec-7',
      request: { caseId: 'case-m' },
      window: { from: null, to: null },
      closedWindow: { from: '1970-01-01T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z' },
      engine: 'athena',
      caseFolder: run.locate('case-m/'),
      timings: { openedAt: '2024-05-01T00:00:00Z' },
    });
    await run.put('case-m/hunts/a.csv', 'event_time\r\n2024-05-01\r\n', 'text/csv');
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'manifests/case-m/hunts/planted.csv', Body: 'x' }),
    );
    const adapters = { store: evidence, engine: {}, now: () => new Date() } as unknown as CaseAdapters;

    const { manifestSha256 } = await writeManifest(
      { caseId: 'case-m', runId: 'exec-7', engine: 'athena' } as CaseContext,
      adapters,
    );

    const manifest = await readCaseFile(evidence, files.manifest);
    expect(manifest.files.map((f) => f.file)).toEqual(['case.json', 'claim.json', 'hunts/a.csv']);
    expect(manifest.notWrittenByThisRun).toEqual(['hunts/planted.csv']);
    const verification = await verifyCase(evidence, 'case-m', manifestSha256);
    expect(verification).toMatchObject({ verified: 3, altered: [], missing: [], manifestProblems: [] });
    expect(verification.added).toEqual(['hunts/planted.csv']);
  });
});
