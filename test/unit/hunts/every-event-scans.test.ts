import { describe, expect, it } from 'vitest';
import type { HuntDefinition } from '../../../shared/domain/hunt-definition.js';
import { loadHuntLibrary } from '../../../shared/hunts/hunt-library.js';
import { huntScans, type SourceScan } from '../../../shared/hunts/hunt-scan.js';
import { loadTestRecords } from '../../../shared/local/app/hunt-test-runner.js';
import { useHuntTestEngine } from '../../support/hunt-test-engine.js';

/**
 * In Athena the hunts read a Parquet copy of CloudTrail bucketed by `eventname`: a scan whose WHERE
 * names its event names reads only their buckets, one limited to a pattern (`regexp_like(eventname,
 * '^Delete')`, a tool's user agent) reads the rows the copy puts in the named classes for it, any other
 * scan reads its columns for every event (of the flagged class alone where its hunt keeps only failed
 * calls or people's calls: shared/hunts/hunt-scan.ts), and `eventid`, a random UUID, is most of the copy's bytes. Trino inlines
 * a CTE at each reference, so a baseline joined back to the events it was computed from reads every
 * event again: a hunt reads the event ids of every event once at most, and a baseline that needs a
 * second read of every event reads narrow columns (who, when, where) only.
 */
const hunts = await loadHuntLibrary();
const byId = (list: HuntDefinition[]) => list.map((hunt) => [hunt.id, hunt] as const);
const everyEventScans = (hunt: HuntDefinition): SourceScan[] =>
  huntScans(hunt).filter((scan) => scan.source === 'cloudtrail' && scan.eventNames === null);

/** The hunts that must read the id of every event, because no list of event names holds what they look for. */
const READS_EVERY_EVENT_ID: Record<string, string> = {
  'ec2-instance-credentials-used-elsewhere': 'any call signed with instance credentials',
  'principal-new-source-address': 'any call from a new address',
  'principal-new-user-agent': 'any call with a new client',
  'root-account-usage': 'any call as the root user',
  'security-change-from-new-address': 'any write call to fourteen security services, new APIs included',
};

describe('scans of every CloudTrail event', () => {
  it.each(byId(hunts))('%s reads the id of every event at most once', (_id, hunt) => {
    const readingIds = everyEventScans(hunt).filter((scan) => scan.columns.includes('eventid'));
    expect(readingIds.length).toBeLessThanOrEqual(1);
  });

  it('read every event id only in the hunts that look for any call, each for its reason', () => {
    const readingIds = hunts
      .filter((hunt) => everyEventScans(hunt).some((scan) => scan.columns.includes('eventid')))
      .map((hunt) => hunt.id);
    expect(readingIds.sort()).toEqual(Object.keys(READS_EVERY_EVENT_ID).sort());
  });
});

describe('event ids of a baseline hunt that reads the events once', () => {
  const scratch = useHuntTestEngine('casefile-every-event-');

  const call = (eventTime: string, sourceIPAddress: string, eventID: string) => ({
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAQEXAMPLEUSER0006',
      arn: 'arn:aws:iam::111122223333:user/ci-deployer',
      accountId: '111122223333',
      userName: 'ci-deployer',
    },
    eventTime,
    eventSource: 's3.amazonaws.com',
    eventName: 'ListBuckets',
    awsRegion: 'us-east-1',
    sourceIPAddress,
    userAgent: 'aws-cli/2.15.30',
    eventID,
    readOnly: true,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  });

  it('are the 50 earliest calls of the new address, in time order, out of 60 read in any order', async () => {
    const hunt = hunts.find((h) => h.id === 'principal-new-source-address');
    if (!hunt) throw new Error('principal-new-source-address is not in the library');
    const second = (i: number) => String(i).padStart(2, '0');
    const fromNewAddress = Array.from({ length: 60 }, (_, i) =>
      call(
        `2024-06-03T02:00:${second(i)}Z`,
        '192.0.2.200',
        `00000000-0000-4000-8000-0000000000${second(59 - i)}`,
      ),
    );
    const records = [
      call('2024-06-01T08:00:00Z', '203.0.113.80', 'office-0'),
      ...[...fromNewAddress].reverse(),
    ];
    await loadTestRecords(scratch.engine, scratch.dir, records, 'cloudtrail');
    const result = await scratch.engine.run(hunt.sql, { parameters: [] });
    expect(result.rows.map((row) => Number(row.event_count))).toEqual([60]);
    const expected = fromNewAddress.slice(0, 50).map((r) => r.eventID);
    expect(String(result.rows[0]?.eventids).split(',')).toEqual(expected);
  });
});
