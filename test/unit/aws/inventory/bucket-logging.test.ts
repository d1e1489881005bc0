import {
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  type GetBucketLoggingCommandInput,
  type GetBucketLoggingOutput,
  ListBucketsCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { bucketLoggingInventory } from '../../../../shared/aws/inventory/bucket-logging.js';
import {
  ACCOUNT,
  accountScope,
  expectDeclaredActions,
  regional,
  run,
  serviceError,
} from '../../../support/aws-inventory-kit.js';

const owner = {
  DisplayName: 'acme-security',
  ID: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
};
const created = new Date('2022-01-01T00:00:00Z');

/** Each bucket's GetBucketLogging answer, as S3 gives it from the bucket's own region. */
function logging(
  s3: ReturnType<typeof setUp>['s3'],
  region: string,
  answers: Record<string, GetBucketLoggingOutput | Error>,
) {
  s3.mock(region)
    .on(GetBucketLoggingCommand)
    .callsFake((input: GetBucketLoggingCommandInput) => {
      const answer = answers[input.Bucket ?? ''];
      if (!answer) throw new Error(`GetBucketLogging for ${input.Bucket} reached ${region}`);
      if (answer instanceof Error) throw answer;
      return answer;
    });
}

function setUp(...regions: string[]) {
  const s3 = regional((region) => new S3Client({ region }), regions);
  return { s3, scope: accountScope(['us-east-1'], { s3: s3.factory }) };
}

const partitioned = (TargetBucket: string, TargetPrefix: string): GetBucketLoggingOutput => ({
  LoggingEnabled: {
    TargetBucket,
    TargetPrefix,
    TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'EventTime' } },
  },
});
const flat = (TargetBucket: string, TargetPrefix: string): GetBucketLoggingOutput => ({
  LoggingEnabled: { TargetBucket, TargetPrefix, TargetObjectKeyFormat: { SimplePrefix: {} } },
});

describe('bucketLoggingInventory', () => {
  it('lists every bucket, asks each in its region, and groups targets by folder and key layout', async () => {
    const { s3, scope } = setUp('us-east-1', 'eu-west-1');
    s3.mock('us-east-1')
      .on(ListBucketsCommand)
      .resolvesOnce({
        Buckets: [
          { Name: 'acme-app-data', CreationDate: created, BucketRegion: 'us-east-1' },
          { Name: 'acme-reports', CreationDate: created, BucketRegion: 'eu-west-1' },
        ],
        Owner: owner,
        ContinuationToken: 'page-2',
      })
      .resolvesOnce({
        Buckets: [
          { Name: 'acme-legacy', CreationDate: created },
          { Name: 'acme-old-eu', CreationDate: created },
          { Name: 'acme-access-logs', CreationDate: created, BucketRegion: 'us-east-1' },
          { Name: 'acme-scratch', CreationDate: created, BucketRegion: 'us-east-1' },
        ],
        Owner: owner,
      });
    s3.mock('us-east-1').on(GetBucketLocationCommand, { Bucket: 'acme-legacy' }).resolves({});
    s3.mock('us-east-1')
      .on(GetBucketLocationCommand, { Bucket: 'acme-old-eu' })
      .resolves({ LocationConstraint: 'EU' });
    logging(s3, 'us-east-1', {
      'acme-app-data': partitioned('acme-access-logs', 's3/'),
      'acme-legacy': flat('acme-access-logs', 'flat/legacy-'),
      'acme-access-logs': {},
      'acme-scratch': {},
    });
    logging(s3, 'eu-west-1', {
      'acme-reports': partitioned('acme-access-logs', 's3/'),
      'acme-old-eu': flat('acme-access-logs', 'flat/old-eu-'),
    });

    const found = await run(bucketLoggingInventory, scope);

    expect(s3.mock('us-east-1')).toHaveReceivedCommandWith(ListBucketsCommand, { MaxBuckets: 1000 });
    expect(s3.mock('us-east-1')).toHaveReceivedNthCommandWith(ListBucketsCommand, 2, {
      ContinuationToken: 'page-2',
    });
    expect(s3.mock('us-east-1')).toHaveReceivedCommandTimes(GetBucketLocationCommand, 2);
    expect(found.sources).toEqual([
      {
        source: 's3access',
        location: 's3://acme-access-logs/s3/',
        accounts: [ACCOUNT],
        regions: ['eu-west-1', 'us-east-1'],
        resourceFolders: ['acme-app-data', 'acme-reports'],
        details: {
          layout: 'date-partitioned',
          targetPrefix: 's3/',
          sourceBuckets: 'acme-app-data, acme-reports',
          sourceBucketCount: 2,
          partitionDateSource: 'EventTime',
        },
      },
      {
        source: 's3access',
        location: 's3://acme-access-logs/flat/',
        details: {
          layout: 'flat',
          targetPrefix: 'flat/legacy-, flat/old-eu-',
          sourceBuckets: 'acme-legacy, acme-old-eu',
          sourceBucketCount: 2,
        },
      },
    ]);
    // The log bucket itself is not counted among the buckets that do not log.
    expect(found.gaps).toEqual([
      { source: 's3access', reason: 'server access logging is off for 1 of 6 buckets: acme-scratch' },
    ]);
    expect(found.notes).toEqual([]);
    expectDeclaredActions(bucketLoggingInventory, ['s3', s3.calls()]);
  });

  it('notes the buckets S3 would not describe and skips one deleted since it was listed', async () => {
    const { s3, scope } = setUp('us-east-1');
    s3.mock('us-east-1')
      .on(ListBucketsCommand)
      .resolves({
        Buckets: ['acme-a', 'acme-b', 'acme-gone', 'acme-c'].map((Name) => ({
          Name,
          CreationDate: created,
          BucketRegion: 'us-east-1',
        })),
        Owner: owner,
      });
    const denied = () => serviceError(S3ServiceException, 'AccessDenied', 'Access Denied', 403);
    logging(s3, 'us-east-1', {
      'acme-a': denied(),
      'acme-b': denied(),
      'acme-gone': serviceError(
        S3ServiceException,
        'NoSuchBucket',
        'The specified bucket does not exist',
        404,
      ),
      'acme-c': {},
    });

    const found = await run(bucketLoggingInventory, scope);

    expect(found.notes).toEqual([
      'S3 denied GetBucketLocation or GetBucketLogging for 2 buckets (acme-a, acme-b): whether they log access is unknown.',
    ]);
    expect(found.gaps).toEqual([
      { source: 's3access', reason: 'server access logging is off for 1 of 3 buckets: acme-c' },
    ]);
  });

  it('notes a denied ListBuckets and stops there', async () => {
    const { s3, scope } = setUp('us-east-1');
    s3.mock('us-east-1')
      .on(ListBucketsCommand)
      .rejects(serviceError(S3ServiceException, 'AccessDenied', 'Access Denied', 403));

    const found = await run(bucketLoggingInventory, scope);

    expect(found.notes).toEqual([
      expect.stringMatching(/^S3 ListBuckets was denied \(AccessDenied: Access Denied\)/),
    ]);
    expect(s3.mock('us-east-1')).not.toHaveReceivedCommand(GetBucketLoggingCommand);
  });
});
