import { describe, expect, it } from 'vitest';
import { assessCompleteness, digestFilesPerAccount } from '../../../shared/story/completeness.js';
import type { OpenItem } from '../../../shared/story/open-items.js';
import { storyEvent } from '../../support/story-events.js';

const ACCOUNT = '111122223333';
const day = {
  account: ACCOUNT,
  region: '*',
  events: 2_400,
  first: '2025-03-10T00:00:00Z',
  last: '2025-03-12T00:00:00Z',
};
const base = {
  volumes: [day],
  events: [],
  dataEvents: [],
  digestFiles: [{ account: ACCOUNT, files: 48, validationOn: false }],
  accounts: [ACCOUNT],
  openItems: [],
  attackerLastSeen: null,
};

describe('what the logs cannot show', () => {
  it('reports a 5.5-hour silence with the StopLogging that began it and the StartLogging that ended it', () => {
    const result = assessCompleteness({
      ...base,
      silences: [{ account: ACCOUNT, region: '*', from: '2025-03-11T03:21:34Z', to: '2025-03-11T08:52:37Z' }],
      events: [
        storyEvent({
          eventName: 'StopLogging',
          time: '2025-03-11T03:21:34Z',
          sourceIp: '203.0.113.77',
          request: { name: 'prod' },
        }),
        storyEvent({
          eventName: 'StartLogging',
          time: '2025-03-11T08:52:37Z',
          actorArn: 'arn:aws:iam::111122223333:user/maria',
          request: { name: 'prod' },
        }),
      ],
      attackerLastSeen: '2025-03-11T03:21:34Z',
    });
    expect(result.silences).toMatchObject([
      {
        minutes: 331,
        stoppedBy: { eventName: 'StopLogging' },
        restartedBy: { eventName: 'StartLogging', time: '2025-03-11T08:52:37Z' },
      },
    ]);
    expect(result.limits[0]).toMatch(
      /no CloudTrail record from 2025-03-11T03:21:34Z to 2025-03-11T08:52:37Z \(5\.5 h.*StartLogging at 2025-03-11T08:52:37Z.*the attacker was active when it began/,
    );
  });

  it('leaves out a long silence where the usual rate would have left almost nothing (a quiet region)', () => {
    const result = assessCompleteness({
      ...base,
      volumes: [{ ...day, region: 'ap-southeast-1', events: 10 }],
      silences: [
        {
          account: ACCOUNT,
          region: 'ap-southeast-1',
          from: '2025-03-10T03:00:00Z',
          to: '2025-03-10T09:00:00Z',
        },
      ],
    });
    expect(result.silences).toEqual([]);
  });

  it('says reads of a bucket made public are invisible when no data event covers that bucket', () => {
    const opened: OpenItem = {
      kind: 'public bucket policy',
      resource: 'bucket/customer-exports',
      account: ACCOUNT,
      region: 'eu-west-1',
      opened: {
        eventId: 'e',
        eventName: 'PutBucketPolicy',
        time: '2025-03-11T03:17:02Z',
        actor: null,
        sourceIp: null,
      },
      closed: null,
      outsideAccounts: [],
    };
    const dataEvents = [
      {
        account: ACCOUNT,
        service: 's3.amazonaws.com',
        resource: 'deploy-artifacts',
        events: 18,
        first: 'a',
        last: 'b',
      },
    ];
    const uncovered = assessCompleteness({ ...base, silences: [], openItems: [opened], dataEvents });
    expect(uncovered.limits).toEqual([
      expect.stringMatching(
        /customer-exports .*reads of its objects are invisible \(data events cover deploy-artifacts\)/,
      ),
    ]);
    const covered = assessCompleteness({
      ...base,
      silences: [],
      openItems: [opened],
      dataEvents: [{ ...dataEvents[0], resource: 'customer-exports' } as (typeof dataEvents)[number]],
    });
    expect(covered.limits).toEqual([]);
  });

  it('says the integrity of the logs cannot be checked for an account without digest files', () => {
    const result = assessCompleteness({
      ...base,
      silences: [],
      digestFiles: [{ account: ACCOUNT, files: 0, validationOn: false }],
    });
    expect(result.limits).toEqual([
      expect.stringMatching(/No CloudTrail digest files for account 111122223333/),
    ]);
    // In AWS the digests stay in the trail's bucket: validation on is enough.
    const validated = assessCompleteness({
      ...base,
      silences: [],
      digestFiles: [{ account: ACCOUNT, files: 0, validationOn: true }],
    });
    expect(validated.limits).toEqual([]);
  });

  it('counts digest files per account from their delivery path, organisation trails included', () => {
    const skipped = [
      {
        input:
          '/logs/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2025/03/11/111122223333_CloudTrail-Digest_us-east-1_prod_us-east-1_20250311T010000Z.json.gz',
      },
      { input: '/logs/AWSLogs/o-abc123/111122223333/CloudTrail-Digest/eu-west-1/2025/03/11/x.json.gz' },
      // A log file of the other account, skipped for another reason, is not a digest.
      { input: '/logs/AWSLogs/444455556666/CloudTrail/us-east-1/2025/03/11/y.json.gz' },
    ];
    expect(digestFilesPerAccount(skipped, [ACCOUNT, '444455556666'])).toEqual([
      { account: ACCOUNT, files: 2, validationOn: false },
      { account: '444455556666', files: 0, validationOn: false },
    ]);
  });
});
