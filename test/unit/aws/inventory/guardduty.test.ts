import {
  DescribePublishingDestinationCommand,
  type DescribePublishingDestinationCommandInput,
  GetDetectorCommand,
  type GetDetectorCommandInput,
  GuardDutyClient,
  GuardDutyServiceException,
  ListDetectorsCommand,
  ListPublishingDestinationsCommand,
  type ListPublishingDestinationsCommandInput,
} from '@aws-sdk/client-guardduty';
import { describe, expect, it } from 'vitest';
import { guardDutyInventory } from '../../../../shared/aws/inventory/guardduty.js';
import {
  ACCOUNT,
  accountScope,
  expectDeclaredActions,
  regional,
  run,
  serviceError,
} from '../../../support/aws-inventory-kit.js';

const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** GetDetector as the GuardDuty API reference shows it, the parts read. */
const detector = (status: 'ENABLED' | 'DISABLED') => ({
  CreatedAt: '2023-01-05T10:00:00.000Z',
  UpdatedAt: '2024-04-30T22:10:00.000Z',
  FindingPublishingFrequency: 'SIX_HOURS' as const,
  ServiceRole: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
  Status: status,
  Tags: {},
});

function setUp(...regions: string[]) {
  const guardDuty = regional((region) => new GuardDutyClient({ region }), regions);
  return { guardDuty, scope: accountScope(regions, { guardDuty: guardDuty.factory }) };
}

describe('guardDutyInventory', () => {
  it('finds the S3 folders findings are exported to, with their key, and regions without findings', async () => {
    const { guardDuty, scope } = setUp('us-east-1', 'eu-west-1', 'ap-south-1');
    guardDuty
      .mock('us-east-1')
      .on(ListDetectorsCommand)
      .resolvesOnce({ DetectorIds: ['det-use1'], NextToken: 'page-2' })
      .resolvesOnce({ DetectorIds: [] });
    guardDuty
      .mock('eu-west-1')
      .on(ListDetectorsCommand)
      .resolves({ DetectorIds: ['det-euw1'] });
    guardDuty.mock('ap-south-1').on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    for (const region of ['us-east-1', 'eu-west-1']) {
      guardDuty
        .mock(region)
        .on(GetDetectorCommand)
        .callsFake((input: GetDetectorCommandInput) =>
          detector(input.DetectorId === 'det-euw1' ? 'DISABLED' : 'ENABLED'),
        );
    }
    guardDuty
      .mock('us-east-1')
      .on(ListPublishingDestinationsCommand)
      .callsFake((input: ListPublishingDestinationsCommandInput) => ({
        Destinations: [
          { DestinationId: `dest-${input.DetectorId}`, DestinationType: 'S3', Status: 'PUBLISHING' },
        ],
      }));
    guardDuty
      .mock('us-east-1')
      .on(DescribePublishingDestinationCommand)
      .callsFake((input: DescribePublishingDestinationCommandInput) => ({
        DestinationId: input.DestinationId,
        DestinationType: 'S3',
        Status: 'PUBLISHING',
        PublishingFailureStartTimestamp: 0,
        DestinationProperties: { DestinationArn: 'arn:aws:s3:::acme-guardduty/findings', KmsKeyArn: KEY },
      }));
    guardDuty.mock('eu-west-1').on(ListPublishingDestinationsCommand).resolves({ Destinations: [] });

    const found = await run(guardDutyInventory, scope);

    expect(guardDuty.mock('us-east-1')).toHaveReceivedNthCommandWith(ListDetectorsCommand, 2, {
      NextToken: 'page-2',
    });
    expect(guardDuty.mock('us-east-1')).toHaveReceivedCommandWith(DescribePublishingDestinationCommand, {
      DetectorId: 'det-use1',
      DestinationId: 'dest-det-use1',
    });
    expect(found.sources).toEqual([
      {
        source: 'guardduty',
        location: 's3://acme-guardduty/findings/',
        accounts: [ACCOUNT],
        regions: ['us-east-1'],
        details: { detectors: 'det-use1 (us-east-1)', kmsKeyArn: KEY },
      },
    ]);
    expect(found.gaps).toEqual([
      {
        source: 'guardduty',
        region: 'eu-west-1',
        reason: 'GuardDuty detector det-euw1 in eu-west-1 is DISABLED since 2024-04-30T22:10:00.000Z',
      },
      {
        source: 'guardduty',
        region: 'eu-west-1',
        reason:
          'GuardDuty detector det-euw1 in eu-west-1 exports no findings to S3 (they stay in GuardDuty for 90 days)',
      },
      { source: 'guardduty', region: 'ap-south-1', reason: 'GuardDuty has no detector in ap-south-1' },
    ]);
    expect(found.notes).toEqual([
      `GuardDuty findings in s3://acme-guardduty/findings/ are encrypted with ${KEY}: reading them needs kms:Decrypt on that key.`,
    ]);
    expectDeclaredActions(guardDutyInventory, ['guardduty', guardDuty.calls()]);
  });

  it('marks a destination that does not publish as partial, and notes a denied call', async () => {
    const { guardDuty, scope } = setUp('us-east-1', 'eu-west-1');
    guardDuty
      .mock('us-east-1')
      .on(ListDetectorsCommand)
      .resolves({ DetectorIds: ['det-use1'] });
    guardDuty.mock('us-east-1').on(GetDetectorCommand).resolves(detector('ENABLED'));
    guardDuty
      .mock('us-east-1')
      .on(ListPublishingDestinationsCommand)
      .resolves({
        Destinations: [
          {
            DestinationId: 'dest-1',
            DestinationType: 'S3',
            Status: 'UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY',
          },
        ],
      });
    guardDuty
      .mock('us-east-1')
      .on(DescribePublishingDestinationCommand)
      .resolves({
        DestinationId: 'dest-1',
        DestinationType: 'S3',
        Status: 'UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY',
        PublishingFailureStartTimestamp: 1714521600000,
        DestinationProperties: { DestinationArn: 'arn:aws:s3:::acme-guardduty', KmsKeyArn: KEY },
      });
    guardDuty
      .mock('eu-west-1')
      .on(ListDetectorsCommand)
      .rejects(
        serviceError(
          GuardDutyServiceException,
          'AccessDeniedException',
          'User is not authorized to perform: guardduty:ListDetectors',
          403,
        ),
      );

    const found = await run(guardDutyInventory, scope);

    expect(found.sources[0]?.details?.coverage).toBe(
      'GuardDuty does not publish to s3://acme-guardduty/ from us-east-1 (UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY)',
    );
    expect(found.notes).toContainEqual(
      expect.stringMatching(/^GuardDuty ListDetectors in eu-west-1 was denied/),
    );
  });
});
