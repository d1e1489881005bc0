import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../shared/errors.js';
import {
  type DemoLogs,
  demoScenario,
  generateDemoLogs,
} from '../../../../shared/local/demo/generate-demo-logs.js';

type CloudTrailRecord = Record<string, unknown> & {
  eventTime: string;
  eventName: string;
  eventSource: string;
  eventID: string;
  awsRegion: string;
  recipientAccountId: string;
  userIdentity: Record<string, unknown>;
};

interface DeliveredFile {
  path: string;
  bytes: Buffer;
  records: CloudTrailRecord[];
}

const roots: string[] = [];
let logs: DemoLogs;
let files: DeliveredFile[];
let records: CloudTrailRecord[];
let attack: CloudTrailRecord[];
let benign: CloudTrailRecord[];

async function generate(options?: Parameters<typeof generateDemoLogs>[1]) {
  const root = await mkdtemp(join(tmpdir(), 'casefile-demo-'));
  roots.push(root);
  return { root, logs: await generateDemoLogs(root, options) };
}

async function readTree(root: string): Promise<DeliveredFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  return Promise.all(
    paths.map(async (path) => {
      const bytes = await readFile(path);
      const body = JSON.parse(gunzipSync(bytes).toString('utf8')) as { Records: CloudTrailRecord[] };
      return { path: relative(root, path).split(sep).join('/'), bytes, records: body.Records };
    }),
  );
}

function treeHash(tree: DeliveredFile[]): string {
  const hash = createHash('sha256');
  for (const file of tree) hash.update(file.path).update('\0').update(file.bytes);
  return hash.digest('hex');
}

const field = (value: unknown, key: string): unknown =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;

/** The patterns an incident responder would chase, none of which ordinary activity may show. */
function alarmingPatterns(record: CloudTrailRecord): string[] {
  const request = record.requestParameters;
  const requestText = JSON.stringify(request ?? null);
  const found: string[] = [];
  if (['StopLogging', 'DeleteTrail'].includes(record.eventName)) found.push('trail-stopped');
  if (record.eventSource === 'guardduty.amazonaws.com' && record.readOnly === false)
    found.push('guardduty-changed');
  if (record.eventName === 'DeleteFlowLogs') found.push('flow-logs-deleted');
  if (record.userIdentity.type === 'Root') found.push('root');
  if (record.eventName === 'ConsoleLogin' && field(record.additionalEventData, 'MFAUsed') !== 'Yes') {
    found.push('console-without-mfa');
  }
  if (record.eventName === 'CreateAccessKey' && field(request, 'userName') !== record.userIdentity.userName) {
    found.push('key-for-another-user');
  }
  if (
    ['AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy', 'PutUserPolicy'].includes(
      record.eventName,
    ) &&
    /AdministratorAccess|"Action":"\*"/.test(requestText)
  ) {
    found.push('admin-policy');
  }
  if (
    (record.eventName === 'ModifySnapshotAttribute' &&
      field(field(request, 'createVolumePermission'), 'add')) ||
    (record.eventName === 'ModifyImageAttribute' && field(field(request, 'launchPermission'), 'add'))
  ) {
    found.push('shared-externally');
  }
  if (
    record.eventName === 'DeleteBucketPublicAccessBlock' ||
    (record.eventName === 'PutBucketPolicy' && /"Principal":("\*"|\{"AWS":"\*"\})/.test(requestText))
  ) {
    found.push('public-bucket');
  }
  if (
    record.eventName === 'AuthorizeSecurityGroupIngress' &&
    /0\.0\.0\.0\/0|::\/0/.test(requestText) &&
    /"(fromPort|toPort)":(22|3389)\b/.test(requestText)
  ) {
    found.push('ssh-or-rdp-open-to-the-world');
  }
  return found;
}

/** More than three different secrets read by one principal within ten minutes. */
function bulkSecretReaders(list: CloudTrailRecord[]): string[] {
  const reads = list
    .filter((r) => r.eventName === 'GetSecretValue' && r.errorCode === undefined)
    .map((r) => ({
      who: String(r.userIdentity.arn),
      at: Date.parse(r.eventTime),
      secret: String(field(r.requestParameters, 'secretId')),
    }));
  const readers = new Set<string>();
  for (const read of reads) {
    const burst = reads.filter((o) => o.who === read.who && o.at >= read.at && o.at < read.at + 10 * 60_000);
    if (new Set(burst.map((o) => o.secret)).size > 3) readers.add(read.who);
  }
  return [...readers];
}

beforeAll(async () => {
  const first = await generate();
  logs = first.logs;
  files = await readTree(first.root);
  records = files.flatMap((f) => f.records);
  const attackIds = new Set(logs.attackEventIds);
  attack = records.filter((r) => attackIds.has(r.eventID));
  benign = records.filter((r) => !attackIds.has(r.eventID));
});

afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

describe('generateDemoLogs', () => {
  it('writes the same bytes for the same seed, and other bytes for another seed', async () => {
    const again = await generate();
    const other = await generate({ seed: 7 });
    expect(treeHash(await readTree(again.root))).toBe(treeHash(files));
    expect(again.logs).toEqual(logs);
    expect(treeHash(await readTree(other.root))).not.toBe(treeHash(files));
  });

  it('is small enough for `npm start` and holds several thousand records over three days', () => {
    // Its size, not a wall-clock bound, keeps the demo quick: speed is the bench's to measure.
    expect(records.length).toBeLessThan(20_000);
    expect(logs.window).toEqual({ from: '2025-03-10T00:00:00Z', to: '2025-03-13T00:00:00Z' });
    expect(logs.records).toBe(records.length);
    expect(logs.files).toBe(files.length);
    expect(records.length).toBeGreaterThan(4_000);
    expect(new Set(records.map((r) => r.eventID)).size).toBe(records.length);
  });

  it("delivers gzip files of {Records:[...]} in CloudTrail's S3 layout, sorted within each file", () => {
    const layout =
      /^AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8})T(\d{4})Z_[A-Za-z0-9]{16}\.json\.gz$/;
    const prefixes = new Set<string>();
    for (const file of files) {
      expect(file.bytes.subarray(0, 2).toString('hex')).toBe('1f8b');
      const match = layout.exec(file.path);
      expect(match, file.path).not.toBeNull();
      const [, org, account, region, yyyy, mm, dd, nameAccount, nameRegion, nameDay] = match ?? [];
      expect(nameAccount).toBe(account);
      expect(nameRegion).toBe(region);
      expect(nameDay).toBe(`${yyyy}${mm}${dd}`);
      prefixes.add(org ? `${org}/${account}` : `${account}`);
      expect(file.records.length).toBeGreaterThan(0);
      const times = file.records.map((r) => r.eventTime);
      expect(times).toEqual([...times].sort());
      for (const record of file.records) {
        expect(record.recipientAccountId).toBe(account);
        expect(record.awsRegion).toBe(region);
      }
      const span = Date.parse(times.at(-1) ?? '') - Date.parse(times[0] ?? '');
      expect(span).toBeLessThan(15 * 60_000);
    }
    expect(prefixes).toEqual(
      new Set([
        demoScenario.productionAccountId,
        `${demoScenario.organisationId}/${demoScenario.stagingAccountId}`,
      ]),
    );
    const streams = new Set(files.map((f) => f.path.split('/CloudTrail/')[1]?.split('/')[0]));
    expect(streams).toEqual(new Set(['us-east-1', 'eu-west-1', 'us-west-2', demoScenario.newRegion]));
  });

  it('fills in every field a real CloudTrail record carries', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const serviceCaller = /\.amazonaws\.com$|^AWS Internal$/;
    for (const r of records) {
      expect(['1.08', '1.09']).toContain(r.eventVersion);
      expect(r.eventTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(r.eventTime >= logs.window.from && r.eventTime < logs.window.to).toBe(true);
      expect(r.eventSource).toMatch(/^[a-z0-9-]+\.amazonaws\.com$/);
      expect(r.eventID).toMatch(uuid);
      expect(typeof r.sourceIPAddress).toBe('string');
      expect(typeof r.userAgent).toBe('string');
      expect(r).toHaveProperty('requestParameters');
      expect(r).toHaveProperty('responseElements');
      expect(typeof r.readOnly).toBe('boolean');
      expect(typeof r.managementEvent).toBe('boolean');
      expect(r.eventCategory).toBe(r.managementEvent ? 'Management' : 'Data');
      expect(r.recipientAccountId).toMatch(/^\d{12}$/);
      expect(['AwsApiCall', 'AwsConsoleSignIn', 'AwsServiceEvent']).toContain(r.eventType);
      if (r.eventType === 'AwsApiCall') expect(typeof r.requestID).toBe('string');
      if (!serviceCaller.test(String(r.sourceIPAddress))) {
        expect(field(r.tlsDetails, 'clientProvidedHostHeader')).toEqual(expect.any(String));
      }
      if (r.errorCode !== undefined) expect(r.errorCode).toEqual(expect.any(String));
      const type = r.userIdentity.type;
      if (type === 'AssumedRole') {
        const context = r.userIdentity.sessionContext;
        expect(field(field(context, 'sessionIssuer'), 'type')).toBe('Role');
        expect(['true', 'false']).toContain(field(field(context, 'attributes'), 'mfaAuthenticated'));
        expect(String(r.userIdentity.accessKeyId)).toMatch(/^ASIA[A-Z2-7]{16}$/);
      }
      if (type === 'IAMUser' && r.eventType === 'AwsApiCall') {
        expect(String(r.userIdentity.accessKeyId)).toMatch(/^(AKIA|ASIA)[A-Z2-7]{16}$/);
      }
    }
    const types = new Set(records.map((r) => r.userIdentity.type));
    for (const type of ['IAMUser', 'AssumedRole', 'AWSService', 'Root', 'WebIdentityUser']) {
      expect(types).toContain(type);
    }
    expect(new Set(records.map((r) => r.eventType))).toEqual(
      new Set(['AwsApiCall', 'AwsConsoleSignIn', 'AwsServiceEvent']),
    );
    expect(records.some((r) => field(r.userIdentity.sessionContext, 'ec2RoleDelivery') === '2.0')).toBe(true);
    expect(records.some((r) => r.errorCode !== undefined && r.errorMessage !== undefined)).toBe(true);
  });

  it('delivers every attack event once', () => {
    expect(logs.attackEventIds.length).toBeGreaterThan(40);
    expect(new Set(logs.attackEventIds).size).toBe(logs.attackEventIds.length);
    expect(attack).toHaveLength(logs.attackEventIds.length);
  });

  it('tells the intrusion: leaked key from a new address, backdoor user, blinding, theft, exfiltration', () => {
    const secondDay = '2025-03-11';
    expect(attack.every((r) => r.eventTime.startsWith(secondDay))).toBe(true);
    expect(attack.filter((r) => r.sourceIPAddress === demoScenario.intruderIp).length).toBeGreaterThan(40);
    const leaked = (r: CloudTrailRecord) => r.userIdentity.accessKeyId === demoScenario.leakedAccessKeyId;
    expect(attack.filter(leaked).map((r) => r.eventName)).toEqual(
      expect.arrayContaining([
        'GetCallerIdentity',
        'ListUsers',
        'GetAccountAuthorizationDetails',
        'CreateUser',
      ]),
    );
    expect(attack.filter((r) => leaked(r) && r.errorCode !== undefined).length).toBeGreaterThanOrEqual(10);
    expect(benign.filter(leaked).every((r) => r.sourceIPAddress !== demoScenario.intruderIp)).toBe(true);
    expect(benign.some(leaked)).toBe(true);
    expect(benign.some((r) => r.awsRegion === demoScenario.newRegion)).toBe(false);
    expect(attack.some((r) => r.awsRegion === demoScenario.newRegion)).toBe(true);

    const found = new Set(attack.flatMap(alarmingPatterns));
    for (const pattern of [
      'trail-stopped',
      'guardduty-changed',
      'flow-logs-deleted',
      'root',
      'console-without-mfa',
      'key-for-another-user',
      'admin-policy',
      'shared-externally',
      'public-bucket',
    ]) {
      expect(found).toContain(pattern);
    }
    expect(bulkSecretReaders(attack)).toEqual([
      `arn:aws:iam::${demoScenario.productionAccountId}:user/${demoScenario.backdoorUser}`,
    ]);
  });

  it('keeps ordinary activity free of anything a hunt should flag', () => {
    const flagged = benign.flatMap((r) =>
      alarmingPatterns(r).map((p) => `${p}: ${r.eventName} ${r.eventID}`),
    );
    expect(flagged).toEqual([]);
    expect(bulkSecretReaders(benign)).toEqual([]);
    const names = new Set(benign.map((r) => r.eventName));
    for (const name of [
      'CreateChangeSet',
      'ExecuteChangeSet',
      'UpdateFunctionCode20150331v2',
      'AttachRolePolicy',
    ]) {
      expect(names).toContain(name);
    }
    const logins = benign.filter((r) => r.eventName === 'ConsoleLogin');
    expect(logins.length).toBeGreaterThan(5);
    const denied = benign.filter((r) => /AccessDenied|UnauthorizedOperation/.test(String(r.errorCode)));
    expect(denied.length).toBeGreaterThanOrEqual(2);
    expect(denied.length).toBeLessThanOrEqual(8);
  });

  it('leaves the gap a stopped trail leaves, in production only, until someone starts it again', () => {
    const production = records
      .filter((r) => r.recipientAccountId === demoScenario.productionAccountId)
      .map((r) => r.eventTime)
      .sort();
    const stopped = attack.find((r) => r.eventName === 'StopLogging')?.eventTime ?? '';
    const restarted = benign.find((r) => r.eventName === 'StartLogging')?.eventTime ?? '';
    expect(production.filter((t) => t > stopped && t < restarted)).toEqual([]);
    expect(Date.parse(restarted) - Date.parse(stopped)).toBeGreaterThan(4 * 3_600_000);
    const staging = records.filter(
      (r) =>
        r.recipientAccountId === demoScenario.stagingAccountId &&
        r.eventTime > stopped &&
        r.eventTime < restarted,
    );
    expect(staging.length).toBeGreaterThan(20);
  });

  it('fits the intrusion into a one-day window and rejects impossible options', async () => {
    const short = await generate({ days: 1, start: '2025-06-02T15:30:00Z' });
    expect(short.logs.window).toEqual({ from: '2025-06-02T00:00:00Z', to: '2025-06-03T00:00:00Z' });
    expect(short.logs.attackEventIds.length).toBe(logs.attackEventIds.length);
    await expect(generateDemoLogs(join(tmpdir(), 'unused'), { days: 0 })).rejects.toThrow(
      InvalidRequestError,
    );
    await expect(generateDemoLogs(join(tmpdir(), 'unused'), { start: 'yesterday' })).rejects.toThrow(
      InvalidRequestError,
    );
  });
});
