import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';
import type { LineageFile, PivotsFile } from '../../shared/story/story-files.js';

const ACCOUNT = '111122223333';
const ATTACKER_IP = '203.0.113.9';

const record = (fields: Record<string, unknown>) => ({
  eventVersion: '1.08',
  eventSource: 'sts.amazonaws.com',
  awsRegion: 'us-east-1',
  recipientAccountId: ACCOUNT,
  eventType: 'AwsApiCall',
  sourceIPAddress: ATTACKER_IP,
  userAgent: 'aws-cli/2.15.30',
  userIdentity: {
    type: 'IAMUser',
    arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
    accountId: ACCOUNT,
    accessKeyId: 'AKIACI00000000000001',
  },
  ...fields,
});

/** A few records as a hostile tester would write them, around one good AssumeRole and its session. */
const records = [
  record({
    eventTime: '2025-03-11T03:00:00Z',
    eventID: 'good-assume',
    eventName: 'AssumeRole',
    requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/deploy`, roleSessionName: 'x' },
    responseElements: {
      credentials: { accessKeyId: 'ASIADEPLOY0000000001' },
      assumedRoleUser: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/x` },
    },
  }),
  record({
    eventTime: '2025-03-11T03:00:05Z',
    eventID: 'session-call',
    eventSource: 's3.amazonaws.com',
    eventName: 'ListBuckets',
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/x`,
      accountId: ACCOUNT,
      accessKeyId: 'ASIADEPLOY0000000001',
    },
  }),
  // A response that is not an object: this event alone is set aside.
  record({
    eventTime: '2025-03-11T03:01:00Z',
    eventID: 'string-response',
    eventName: 'AssumeRole',
    responseElements: 'credentials',
  }),
  // An access key id no key can have, from the attacker's address.
  record({
    eventTime: '2025-03-11T03:02:00Z',
    eventID: 'bad-key',
    eventName: 'GetCallerIdentity',
    userIdentity: {
      type: 'IAMUser',
      arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
      accountId: ACCOUNT,
      accessKeyId: "AKIA' OR 1=1 --\nAKIA",
    },
  }),
];

describe('the story on hostile records', () => {
  let caseFolder: string;

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-story-hostile-'));
    await mkdir(join(work, 'logs'));
    await writeFile(join(work, 'logs', 'trail.json'), JSON.stringify({ Records: records }));
    const outcome = await runInvestigationLocally({
      logs: join(work, 'logs'),
      out: join(work, 'cases'),
      request: { caseId: 'hostile', iocs: { ips: [ATTACKER_IP] }, huntIds: ['ioc-cloudtrail-activity'] },
    });
    caseFolder = outcome.caseFolder;
  });

  it('completes the case, sets aside only the bad event with its reason, and still traces the good session', async () => {
    const caseFile = JSON.parse(await readFile(join(caseFolder, 'case.json'), 'utf8')) as { status: string };
    expect(caseFile.status).toBe('COMPLETED');
    const lineage = JSON.parse(await readFile(join(caseFolder, 'lineage.json'), 'utf8')) as LineageFile;
    expect(lineage.quarantined).toEqual([
      { eventId: 'string-response', reason: 'requestParameters or responseElements is not a JSON object' },
    ]);
    expect(lineage.nodes.find((n) => n.id === 'ASIADEPLOY0000000001')).toMatchObject({
      mintedBy: { eventId: 'good-assume' },
      use: { events: 1 },
    });
  });

  it('never binds the malformed key as an indicator', async () => {
    const pivots = JSON.parse(await readFile(join(caseFolder, 'pivots.json'), 'utf8')) as PivotsFile;
    expect(pivots.rejected.map((r) => r.kind)).toContain('accessKey');
    expect(pivots.indicators.map((i) => i.value).join('\n')).not.toContain('OR 1=1');
  });
});
