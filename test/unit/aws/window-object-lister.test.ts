import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { WindowObjectLister, windowPrefixes } from '../../../shared/aws/window-object-lister.js';
import type { SourceLocation } from '../../../shared/domain/inventory.js';

const s3 = mockClient(S3Client);
beforeEach(() => s3.reset());

const trail: SourceLocation = {
  source: 'cloudtrail',
  location: 's3://org-trail-logs/security/',
  accounts: ['111122223333'],
  regions: ['eu-west-1', 'us-east-1'],
  organizationId: 'o-abc123',
};
const window = { from: '2024-05-01T10:00:00.000Z', to: '2024-05-02T09:00:00.000Z' };

// ListObjectsV2 returns at most 1,000 keys a page, with IsTruncated and NextContinuationToken for the next one:
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
describe('listing the objects a case’s tables read', () => {
  it('lists each account’s and region’s delivery days in the window, a day of slack each side', () => {
    const prefixes = windowPrefixes(trail, window).map((p) => p.prefix);
    expect(prefixes).toEqual([
      'security/AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2024/04/30/',
      'security/AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2024/05/01/',
      'security/AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2024/05/02/',
      'security/AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2024/05/03/',
      'security/AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2024/04/30/',
      'security/AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2024/05/01/',
      'security/AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2024/05/02/',
      'security/AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2024/05/03/',
    ]);
    expect(windowPrefixes({ source: 'vpcflow', location: 's3://flow-logs' }, window)).toEqual([
      { bucket: 'flow-logs', prefix: '' },
    ]);
  });

  it('follows every page and sums the sizes of the objects the window reads, page by page', async () => {
    s3.on(ListObjectsV2Command)
      .resolves({ Contents: [], IsTruncated: false, KeyCount: 0 })
      .on(ListObjectsV2Command, {
        Prefix: 'security/AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2024/05/01/',
      })
      .resolvesOnce({
        Contents: [{ Key: 'a.json.gz', Size: 1000 }],
        IsTruncated: true,
        NextContinuationToken: 'page-2',
        KeyCount: 1,
      })
      .resolvesOnce({
        Contents: [
          { Key: 'b.json.gz', Size: 2000 },
          // Listed under a prefix, but delivered on a day the window does not read.
          {
            Key: 'security/AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2024/04/20/c.json.gz',
            Size: 5,
          },
        ],
        IsTruncated: false,
        KeyCount: 2,
      });
    const listing = await new WindowObjectLister({ client: new S3Client({}) }).list([trail], window);
    expect(listing).toEqual({
      sourceBytes: { cloudtrail: 3000 },
      complete: true,
      requests: 9,
    });
    const tokens = s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input.ContinuationToken);
    expect(tokens).toContain('page-2');
  });

  it('stops at its request bound and says the estimate counts only what was listed', async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: 'x.json.gz', Size: 10 }],
      IsTruncated: true,
      NextContinuationToken: 'more',
      KeyCount: 1,
    });
    const listing = await new WindowObjectLister({
      client: new S3Client({}),
      maxRequests: 3,
      concurrency: 1,
    }).list([trail], window);
    expect(listing.complete).toBe(false);
    expect(listing.requests).toBe(3);
    expect(listing.sourceBytes).toEqual({ cloudtrail: 30 });
    expect(listing.note).toBe(
      'the listing stopped at 3 ListObjectsV2 requests with 8 of 8 prefixes not listed to the end: the estimate counts only what was listed',
    );
  });

  it('keeps going past a bucket it may not list, and says which in the note', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    s3.on(ListObjectsV2Command)
      .resolves({ Contents: [{ Key: 'flow.log.gz', Size: 7 }], IsTruncated: false, KeyCount: 1 })
      .on(ListObjectsV2Command, { Bucket: 'org-trail-logs' })
      .rejects(denied);
    const listing = await new WindowObjectLister({ client: new S3Client({}) }).list(
      [trail, { source: 'vpcflow', location: 's3://flow-logs/' }],
      window,
    );
    expect(listing.sourceBytes).toEqual({ vpcflow: 7 });
    expect(listing.complete).toBe(false);
    expect(listing.note).toMatch(
      /^the listing stopped at 1 ListObjectsV2 requests with 8 of 9 prefixes not listed to the end \(first refusal: s3:\/\/org-trail-logs\/security\/AWSLogs\/.*: AccessDenied: Access Denied\)/,
    );
  });
});
