import {
  CloudWatchLogsClient,
  DescribeDeliveriesCommand,
  DescribeDeliveryDestinationsCommand,
  DescribeDeliverySourcesCommand,
  DescribeSubscriptionFiltersCommand,
  type DescribeSubscriptionFiltersCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import {
  logDeliveriesInventory,
  logSubscriptionsIamActions,
  noteSubscriptions,
} from '../../../../shared/aws/inventory/log-deliveries.js';
import {
  ACCOUNT,
  accountScope,
  expectDeclaredActions,
  regional,
  run,
} from '../../../support/aws-inventory-kit.js';

describe('logDeliveriesInventory', () => {
  it('notes each vended-log delivery with what it delivers and where', async () => {
    const logs = regional((region) => new CloudWatchLogsClient({ region }), ['us-east-1', 'eu-west-1']);
    logs
      .mock('us-east-1')
      .on(DescribeDeliverySourcesCommand)
      .resolvesOnce({
        deliverySources: [
          {
            name: 'cf-shop',
            arn: `arn:aws:logs:us-east-1:${ACCOUNT}:delivery-source:cf-shop`,
            resourceArns: [`arn:aws:cloudfront::${ACCOUNT}:distribution/E1SHOP`],
            service: 'cloudfront',
            logType: 'ACCESS_LOGS',
          },
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({ deliverySources: [] });
    logs
      .mock('us-east-1')
      .on(DescribeDeliveriesCommand)
      .resolves({
        deliveries: [
          {
            id: 'dlv-0a1b2c3d',
            arn: `arn:aws:logs:us-east-1:${ACCOUNT}:delivery:dlv-0a1b2c3d`,
            deliverySourceName: 'cf-shop',
            deliveryDestinationArn: `arn:aws:logs:us-east-1:${ACCOUNT}:delivery-destination:to-s3`,
            deliveryDestinationType: 'S3',
            s3DeliveryConfiguration: {
              suffixPath: '{DistributionId}/{yyyy}/{MM}/{dd}',
              enableHiveCompatiblePath: false,
            },
          },
        ],
      });
    logs
      .mock('us-east-1')
      .on(DescribeDeliveryDestinationsCommand)
      .resolves({
        deliveryDestinations: [
          {
            name: 'to-s3',
            arn: `arn:aws:logs:us-east-1:${ACCOUNT}:delivery-destination:to-s3`,
            deliveryDestinationType: 'S3',
            outputFormat: 'w3c',
            deliveryDestinationConfiguration: { destinationResourceArn: 'arn:aws:s3:::acme-cf-v2/logs' },
          },
        ],
      });
    logs.mock('eu-west-1').on(DescribeDeliverySourcesCommand).resolves({ deliverySources: [] });

    const found = await run(
      logDeliveriesInventory,
      accountScope(['us-east-1', 'eu-west-1'], { cloudWatchLogs: logs.factory }),
    );

    expect(logs.mock('us-east-1')).toHaveReceivedNthCommandWith(DescribeDeliverySourcesCommand, 2, {
      nextToken: 'page-2',
    });
    expect(logs.mock('eu-west-1')).not.toHaveReceivedCommand(DescribeDeliveriesCommand);
    expect(found.notes).toEqual([
      `CloudWatch Logs delivers cloudfront's ACCESS_LOGS of arn:aws:cloudfront::${ACCOUNT}:distribution/E1SHOP to S3 ` +
        'arn:aws:s3:::acme-cf-v2/logs (delivery dlv-0a1b2c3d in us-east-1); these vended logs are not read as a table.',
    ]);
    expectDeclaredActions(logDeliveriesInventory, ['logs', logs.calls()]);
  });
});

describe('noteSubscriptions', () => {
  it('notes the groups to export that also stream elsewhere', async () => {
    const logs = regional((region) => new CloudWatchLogsClient({ region }), ['us-east-1']);
    logs
      .mock('us-east-1')
      .on(DescribeSubscriptionFiltersCommand)
      .callsFake((input: DescribeSubscriptionFiltersCommandInput) => ({
        subscriptionFilters:
          input.logGroupName === '/aws/eks/prod/cluster'
            ? [
                {
                  filterName: 'to-siem',
                  logGroupName: input.logGroupName,
                  filterPattern: '',
                  destinationArn: `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/siem`,
                  roleArn: `arn:aws:iam::${ACCOUNT}:role/cwl-to-firehose`,
                  distribution: 'ByLogStream',
                  creationTime: 1685577600000,
                },
              ]
            : [],
      }));
    const notes: string[] = [];
    const window = { from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T00:00:00.000Z', lostBefore: null };

    await noteSubscriptions(
      accountScope(['us-east-1'], { cloudWatchLogs: logs.factory }),
      [
        { logGroup: '/aws/eks/prod/cluster', account: ACCOUNT, region: 'us-east-1', ...window },
        { logGroup: '/aws/lambda/api', account: ACCOUNT, region: 'us-east-1', ...window },
      ],
      notes,
    );

    expect(notes).toEqual([
      `Log group /aws/eks/prod/cluster in us-east-1 also streams every event to arn:aws:firehose:us-east-1:${ACCOUNT}:` +
        "deliverystream/siem (subscription filter to-siem): a copy may be kept there beyond the group's retention.",
    ]);
    expectDeclaredActions({ iamActions: logSubscriptionsIamActions }, ['logs', logs.calls()]);
  });
});
