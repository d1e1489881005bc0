import {
  CloudTrailClient,
  GetEventDataStoreCommand,
  type GetEventDataStoreCommandInput,
  type GetEventDataStoreCommandOutput,
  ListEventDataStoresCommand,
  UnsupportedOperationException,
} from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import { cloudTrailLakeInventory } from '../../../../shared/aws/inventory/cloudtrail-lake.js';
import {
  ACCOUNT,
  accountScope,
  expectDeclaredActions,
  regional,
  run,
} from '../../../support/aws-inventory-kit.js';

const storeArn = (region: string, id: string) =>
  `arn:aws:cloudtrail:${region}:${ACCOUNT}:eventdatastore/${id}`;
const FEDERATED = 'EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE';
const LOCAL = 'EXAMPLE-0a1b-4c2d-8e3f-123456EXAMPLE';

/** GetEventDataStore as the CloudTrail API reference shows it. */
function store(region: string, id: string, fields: Partial<GetEventDataStoreCommandOutput>) {
  return {
    EventDataStoreArn: storeArn(region, id),
    Status: 'ENABLED' as const,
    AdvancedEventSelectors: [
      { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
    ],
    MultiRegionEnabled: true,
    OrganizationEnabled: false,
    RetentionPeriod: 2557,
    TerminationProtectionEnabled: true,
    CreatedTimestamp: new Date('2023-06-01T00:00:00Z'),
    UpdatedTimestamp: new Date('2023-06-01T00:00:00Z'),
    BillingMode: 'EXTENDABLE_RETENTION_PRICING' as const,
    ...fields,
  };
}

describe('cloudTrailLakeInventory', () => {
  it('notes each event data store once, saying whether Athena can query it', async () => {
    const lake = regional(
      (region) => new CloudTrailClient({ region }),
      ['us-east-1', 'eu-west-1', 'ap-east-1'],
    );
    lake
      .mock('us-east-1')
      .on(ListEventDataStoresCommand)
      .resolvesOnce({
        EventDataStores: [{ EventDataStoreArn: storeArn('us-east-1', FEDERATED) }],
        NextToken: 'page-2',
      })
      .resolvesOnce({ EventDataStores: [{ EventDataStoreArn: storeArn('us-east-1', LOCAL) }] });
    // A multi-region store listed again from another region is described once.
    lake
      .mock('eu-west-1')
      .on(ListEventDataStoresCommand)
      .resolves({ EventDataStores: [{ EventDataStoreArn: storeArn('us-east-1', FEDERATED) }] });
    lake
      .mock('ap-east-1')
      .on(ListEventDataStoresCommand)
      .rejects(
        new UnsupportedOperationException({
          message: 'CloudTrail Lake is not supported in this Region.',
          $metadata: { httpStatusCode: 400 },
        }),
      );
    const answers: Record<string, object> = {
      [storeArn('us-east-1', FEDERATED)]: store('us-east-1', FEDERATED, {
        Name: 'org-audit',
        FederationStatus: 'ENABLED',
        FederationRoleArn: `arn:aws:iam::${ACCOUNT}:role/lake-federation`,
      }),
      [storeArn('us-east-1', LOCAL)]: store('us-east-1', LOCAL, {
        Name: 'data-events',
        MultiRegionEnabled: false,
        RetentionPeriod: 90,
        FederationStatus: 'DISABLED',
      }),
    };
    lake
      .mock('us-east-1')
      .on(GetEventDataStoreCommand)
      .callsFake((input: GetEventDataStoreCommandInput) => answers[input.EventDataStore ?? '']);

    const found = await run(
      cloudTrailLakeInventory,
      accountScope(['us-east-1', 'eu-west-1', 'ap-east-1'], { cloudTrail: lake.factory }),
    );

    expect(lake.mock('us-east-1')).toHaveReceivedNthCommandWith(ListEventDataStoresCommand, 2, {
      NextToken: 'page-2',
    });
    expect(lake.mock('us-east-1')).toHaveReceivedCommandTimes(GetEventDataStoreCommand, 2);
    expect(lake.mock('eu-west-1')).not.toHaveReceivedCommand(GetEventDataStoreCommand);
    expect(found.notes).toEqual([
      expect.stringMatching(
        /^CloudTrail ListEventDataStores in ap-east-1 is not offered or not enabled there \(UnsupportedOperationException/,
      ),
      `CloudTrail Lake event data store org-audit (us-east-1, ENABLED, retention 2557 days, multi-region) is federated ` +
        `to Athena: its events can be queried there as table "${FEDERATED}" of the Glue database "aws:cloudtrail" ` +
        `(federation role arn:aws:iam::${ACCOUNT}:role/lake-federation).`,
      'CloudTrail Lake event data store data-events (us-east-1, ENABLED, retention 90 days) is not federated to Athena ' +
        '(federation DISABLED): its events can be queried with CloudTrail Lake SQL, or from Athena once Lake query ' +
        'federation is enabled.',
    ]);
    expectDeclaredActions(cloudTrailLakeInventory, ['cloudtrail', lake.calls()]);
  });
});
