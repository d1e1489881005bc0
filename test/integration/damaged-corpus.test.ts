/**
 * A folder of logs as a hostile tester hands it over: records of the wrong shape, unparseable
 * times, invalid UTF-8, a record nested 20,000 levels deep, cut-off and padded gzip, links and the
 * case folder inside the logs. The case must complete, lose only the bad records (each listed with
 * its file, position and reason) and still report the attack recorded beside them.
 */
import { mkdir, mkdtemp, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FileRecordCount, QuarantinedRecord, SkippedInput } from '../../shared/domain/inventory.js';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';

let sequence = 0;

/** A CloudTrail management event; `fields` replace or add keys. */
function event(fields: Record<string, unknown> = {}): Record<string, unknown> {
  sequence += 1;
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEMALLORY',
      arn: 'arn:aws:iam::111122223333:user/mallory',
      accountId: '111122223333',
      accessKeyId: 'AKIAEXAMPLEMALLORY01',
      userName: 'mallory',
    },
    eventTime: '2024-05-01T10:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListUsers',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.77',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: null,
    responseElements: null,
    requestID: `req-${sequence}`,
    eventID: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
    ...fields,
  };
}

const stopLogging = event({
  eventTime: '2024-05-01T10:05:00Z',
  eventSource: 'cloudtrail.amazonaws.com',
  eventName: 'StopLogging',
  readOnly: false,
  requestParameters: { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management' },
});

const deepRecord = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;

/** The mixed file's records in order, as raw JSON text (one is not valid UTF-8). */
const mixedRecords: Buffer[] = [
  JSON.stringify(stopLogging),
  JSON.stringify(event({ eventTime: 'redacted' })),
  JSON.stringify(event({ eventTime: '' })),
  JSON.stringify(event({ eventTime: 1714557600 })),
  JSON.stringify(event({ eventTime: '2024-02-30T25:00:00Z' })),
  JSON.stringify(event({ resources: ['arn:aws:s3:::a', 'arn:aws:s3:::b'] })),
  JSON.stringify(event({ resources: { ARN: 'arn:aws:s3:::a' } })),
  JSON.stringify(event({ userIdentity: 'root' })),
  JSON.stringify(event({ tlsDetails: 'TLSv1.2' })),
  '42',
  JSON.stringify(event({ requestParameters: '@DEEP@' })).replace('"@DEEP@"', deepRecord),
  JSON.stringify(event({ userAgent: '@UA@' })),
  JSON.stringify(
    event({
      eventTime: '2024-05-01T10:06:00Z',
      eventName: 'DeleteTrail',
      eventSource: 'cloudtrail.amazonaws.com',
    }),
  ),
].map((text) => Buffer.from(text));
const invalidUtf8Index = 11;
mixedRecords[invalidUtf8Index] = Buffer.concat(
  (mixedRecords[invalidUtf8Index] as Buffer)
    .toString('latin1')
    .split('@UA@')
    .flatMap((part, i) =>
      i === 0 ? [Buffer.from(part, 'latin1')] : [Buffer.from([0xff, 0xfe]), Buffer.from(part, 'latin1')],
    ),
);

function recordsFile(records: Buffer[]): Buffer {
  return Buffer.concat([
    Buffer.from('{"Records":['),
    Buffer.concat(records.flatMap((r, i) => (i ? [Buffer.from(','), r] : [r]))),
    Buffer.from(']}'),
  ]);
}

const trailRecords = Array.from({ length: 60 }, (_, i) =>
  event({
    eventTime: `2024-05-01T11:${String(i).padStart(2, '0')}:00Z`,
    requestParameters: { padding: 'x'.repeat(200 + i * 37) },
  }),
);
const truncatedGzip = gzipSync(recordsFile(trailRecords.map((r) => Buffer.from(JSON.stringify(r)))));
const cutAt = Math.floor(truncatedGzip.length * 0.6);
/** How many records of the cut-off file decode whole: computed from the bytes, not by the code under test. */
const wholeBeforeCut = (() => {
  const text = gunzipSync(truncatedGzip.subarray(0, cutAt), {
    finishFlush: constants.Z_SYNC_FLUSH,
  }).toString();
  return trailRecords.filter(
    (r) => text.includes(`${JSON.stringify(r)},`) || text.includes(`${JSON.stringify(r)}]`),
  ).length;
})();

const padded = [
  event({ eventName: 'GetUser' }),
  event({ eventName: 'ListRoles' }),
  event({ eventName: 'ListGroups' }),
];
const paddedGzip = gzipSync(recordsFile(padded.map((r) => Buffer.from(JSON.stringify(r)))));
const padding = Buffer.from('this is not gzip data');

/** A valid trail file whose first record carries 40 KiB of request parameters before its event name. */
const { eventVersion, requestParameters, ...afterParameters } = event({
  eventName: 'PutRolePolicy',
  requestParameters: { policy: 'p'.repeat(40_000) },
});
const bigFirstRecord = JSON.stringify({
  Records: [{ eventVersion, requestParameters, ...afterParameters }, event({ eventName: 'GetRole' })],
});

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const firstLineOf = async (path: string) =>
  (await readFile(join(fixtures, path), 'utf8')).split('\n')[0] as string;
const resolverRecord = (time: string) =>
  JSON.stringify({
    version: '1.100000',
    account_id: '111122223333',
    region: 'us-east-1',
    vpc_id: 'vpc-0a1b2c3d',
    query_timestamp: time,
    query_name: 'example.com.',
    query_type: 'A',
    query_class: 'IN',
    rcode: 'NOERROR',
    answers: [],
    srcaddr: '10.0.1.15',
    srcport: '53211',
    transport: 'UDP',
    srcids: { instance: 'i-0123456789abcdef0' },
  });
const flowHeader =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const flow =
  '2 111122223333 eni-0a1b2c3d4e5f60001 198.51.100.23 10.0.1.15 51544 22 6 12 2200 1714557600 1714557660 ACCEPT OK';
interface CaseFile {
  status: string;
  skipped: SkippedInput[];
}
interface TablesFile {
  tables: { source: string; recordCount: number; recordsWithoutTime: number }[];
  files: FileRecordCount[];
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** tables.json, with the records read from each file that `file-records.jsonl` lists beside it. */
async function readTables(caseFolder: string): Promise<TablesFile> {
  const tables = await readJson<Omit<TablesFile, 'files'> & { filesRead: number }>(
    join(caseFolder, 'tables.json'),
  );
  const lines = (await readFile(join(caseFolder, 'file-records.jsonl'), 'utf8')).trimEnd().split('\n');
  expect(lines).toHaveLength(tables.filesRead);
  return { ...tables, files: lines.map((line) => JSON.parse(line) as FileRecordCount) };
}

describe('a damaged corpus, end to end on the embedded engine', () => {
  let logs: string;
  let outside: string;
  let caseFolder: string;
  let secondCase: string;

  beforeAll(async () => {
    const work = await realpath(await mkdtemp(join(tmpdir(), 'casefile-damaged-')));
    logs = join(work, 'logs');
    outside = join(work, 'outside');
    const trail = join(logs, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2024', '05', '01');
    await mkdir(trail, { recursive: true });
    await mkdir(outside);
    await writeFile(join(trail, 'mixed.json.gz'), gzipSync(recordsFile(mixedRecords)));
    await writeFile(join(trail, 'cut-off.json.gz'), truncatedGzip.subarray(0, cutAt));
    await writeFile(join(trail, 'padded.json.gz'), Buffer.concat([paddedGzip, padding]));
    await writeFile(join(trail, 'big-first-record.json'), bigFirstRecord);
    const alb = await firstLineOf('alb/access-log.txt');
    const albTime = alb.split(' ')[1] as string;
    await writeFile(join(logs, 'alb.log'), `${alb}\n${alb.replace(albTime, 'redacted')}\n`);
    await writeFile(
      join(logs, 'resolver.jsonl'),
      Buffer.concat([
        Buffer.from(`${resolverRecord('2024-05-01T10:00:00Z')}\n${resolverRecord('redacted')}\n`),
        Buffer.from(
          resolverRecord('2024-05-01T10:00:05Z').replace('example.com.', 'caf\u00e9.example.'),
          'latin1',
        ),
        Buffer.from('\n'),
      ]),
    );
    await writeFile(join(logs, 'flows.txt'), `${flowHeader}\n${flow}\nthis is no flow record\n${flow}\n`);
    const s3Line = await firstLineOf('s3access/access-logs/2024-05-01-10-15-00-6E3A9F1C2B4D5E6F');
    await writeFile(join(logs, 's3-access.log'), `${s3Line}\n<html>gateway timeout</html>\n`);
    await writeFile(
      join(outside, 'planted.json'),
      JSON.stringify({ Records: [event({ eventName: 'Planted' })] }),
    );
    await symlink(outside, join(logs, 'link-out'));
    await symlink(join(trail, 'mixed.json.gz'), join(logs, 'link-to-mixed.json.gz'));
    await symlink(logs, join(trail, 'loop'));
    const out = join(logs, 'cases');
    caseFolder = (await runInvestigationLocally({ logs, out, request: { caseId: 'damaged' } })).caseFolder;
    secondCase = (await runInvestigationLocally({ logs, out, request: { caseId: 'again' } })).caseFolder;
  });

  it('completes the case', async () => {
    expect((await readJson<CaseFile>(join(caseFolder, 'case.json'))).status).toBe('COMPLETED');
    expect((await readJson<CaseFile>(join(secondCase, 'case.json'))).status).toBe('COMPLETED');
  });

  // Shapes from https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
  it('sets aside exactly the bad records, each with its file, position and reason', async () => {
    const lines = async (source: string) =>
      (await readFile(join(caseFolder, 'quarantine', `${source}.jsonl`), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as QuarantinedRecord)
        .map((q) => [q.file.slice(logs.length + 1), q.position, q.reason]);
    const mixed = 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/mixed.json.gz';
    expect(await lines('cloudtrail')).toEqual([
      [mixed, 'record 6', '`resources[0]` is a string, not an object'],
      [mixed, 'record 7', '`resources` is an object, not a list'],
      [mixed, 'record 8', '`userIdentity` is a string, not an object'],
      [mixed, 'record 9', '`tlsDetails` is a string, not an object'],
      [mixed, 'record 10', 'the record is a number, not a JSON object'],
      [mixed, 'record 11', 'nested deeper than 128 levels'],
      [mixed, 'record 12', 'not valid UTF-8'],
    ]);
    expect(await lines('route53resolver')).toEqual([['resolver.jsonl', 'line 3', 'not valid UTF-8']]);
    expect(await lines('vpcflow')).toEqual([['flows.txt', 'line 3', '5 fields where the format has 14']]);
    expect(await lines('s3access')).toEqual([
      ['s3-access.log', 'line 2', 'not an S3 server access log line'],
    ]);
  });

  it('lists exactly the inputs it did not read in full, with the reason', async () => {
    const { skipped } = await readJson<CaseFile>(join(caseFolder, 'case.json'));
    const trail = 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01';
    expect(skipped.map((s) => [s.input.slice(logs.length + 1), s.stage, s.reason])).toEqual([
      [`${trail}/loop`, 'inventory', `a link to ${logs}, which is already read`],
      ['cases', 'inventory', 'the folder this case is written to (--out): case folders are not evidence'],
      ['link-out', 'inventory', `symbolic link to ${outside}, outside the logs folder`],
      [
        'link-to-mixed.json.gz',
        'inventory',
        `a link to ${logs}/${trail}/mixed.json.gz, which is already read`,
      ],
      [
        `${trail}/cut-off.json.gz`,
        'tables',
        `partly read: gzip data cut off (file truncated); record ${wholeBeforeCut + 1} is cut off (file truncated); the ${wholeBeforeCut} records before it were read`,
      ],
      [
        `${trail}/padded.json.gz`,
        'tables',
        `partly read: ${padding.length} bytes after the gzip data at byte ${paddedGzip.length} are not gzip and were not read; the 3 records before it were read`,
      ],
    ]);
  });

  it('counts every record of every file as read or set aside, and the tables hold the records read', async () => {
    const tables = await readTables(caseFolder);
    const byFile = Object.fromEntries(
      tables.files.map((f) => [
        f.file
          .slice(logs.length + 1)
          .split('/')
          .at(-1),
        [f.records, f.read, f.quarantined, f.nulledValues],
      ]),
    );
    expect(byFile).toEqual({
      'mixed.json.gz': [13, 6, 7, 0],
      'cut-off.json.gz': [wholeBeforeCut, wholeBeforeCut, 0, 0],
      'padded.json.gz': [3, 3, 0, 0],
      'big-first-record.json': [2, 2, 0, 0],
      'alb.log': [2, 2, 0, 0],
      'resolver.jsonl': [3, 2, 1, 0],
      'flows.txt': [3, 2, 1, 0],
      's3-access.log': [2, 1, 1, 0],
    });
    for (const file of tables.files) expect(file.records).toBe(file.read + file.quarantined);
    const summary = await readJson<{ recordsSetAside: FileRecordCount[] }>(join(caseFolder, 'summary.json'));
    expect(summary.recordsSetAside.map((f) => [f.file.split('/').at(-1), f.quarantined])).toEqual([
      ['mixed.json.gz', 7],
      ['flows.txt', 1],
      ['resolver.jsonl', 1],
      ['s3-access.log', 1],
    ]);
    expect(await readFile(join(caseFolder, 'report.md'), 'utf8')).toContain(
      `- \`${logs}/resolver.jsonl\`: 1 of 3 record(s) set aside`,
    );
    const readBySource = new Map<string, number>();
    for (const f of tables.files) readBySource.set(f.source, (readBySource.get(f.source) ?? 0) + f.read);
    expect(Object.fromEntries(tables.tables.map((t) => [t.source, t.recordCount]))).toEqual(
      Object.fromEntries(readBySource),
    );
    // "redacted", "", a number and an impossible date in CloudTrail; "redacted" in ALB and Resolver.
    expect(Object.fromEntries(tables.tables.map((t) => [t.source, t.recordsWithoutTime]))).toMatchObject({
      cloudtrail: 4,
      alb: 1,
      route53resolver: 1,
    });
  });

  it('still reports the attack recorded in the same file as the bad records', async () => {
    const hunt = await readJson<{ status: string; sample: Record<string, string>[] }>(
      join(caseFolder, 'hunts', 'cloudtrail-logging-disabled.json'),
    );
    expect(hunt.status).toBe('SUCCEEDED');
    expect(hunt.sample.map((r) => r.event_name)).toEqual(['StopLogging', 'DeleteTrail']);
  });

  it('never reads an earlier case written inside the logs folder', async () => {
    const first = await readTables(caseFolder);
    const second = await readTables(secondCase);
    expect(second.files.map((f) => f.file)).toEqual(first.files.map((f) => f.file));
    expect(second.files.some((f) => f.file.includes('/cases/'))).toBe(false);
  });
});
