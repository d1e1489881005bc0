import { CloudTrailClient, ListTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { AwsLogInventory, type AwsLogInventoryOptions } from '../../../shared/aws/aws-log-inventory.js';
import { openCaseContext } from '../../../shared/domain/case.js';
import { ACCOUNT, MEMBER, regional } from '../../support/aws-inventory-kit.js';

const opened = new Date('2024-05-01T00:00:00Z');
const scoped = (scope: Record<string, string[]>) =>
  openCaseContext({ caseId: 'case-1', ...scope }, 'athena', opened);
const memberRole = `arn:aws:iam::${MEMBER}:role/casefile-inventory`;

/** Every client fails if asked for: a test passes only if the inventory makes no call it did not expect. */
const noCalls = (service: string) => () => {
  throw new Error(`the inventory asked for a ${service} client`);
};

function inventory(options: Partial<AwsLogInventoryOptions>) {
  return new AwsLogInventory({
    regions: ['us-east-1', 'eu-west-1'],
    services: [],
    cloudTrailClient: noCalls('CloudTrail'),
    cloudWatchLogsClient: noCalls('CloudWatch Logs'),
    clients: { sts: noCalls('STS'), s3: noCalls('S3') },
    now: () => new Date('2024-05-02T10:00:00Z'),
    ...options,
  });
}

describe('the AWS inventory narrowed to the case scope', () => {
  it('plans one iteration per asked account, including one no role reaches, so it is named', async () => {
    const configured = inventory({ accounts: [{ accountId: MEMBER, roleArn: memberRole }] });
    await expect(configured.accounts(scoped({ accounts: [MEMBER, '999988887777'] }))).resolves.toEqual([
      MEMBER,
      '999988887777',
    ]);
    await expect(configured.accounts(scoped({}))).resolves.toEqual([MEMBER]);
  });

  it('names an asked account without a role in the inventory instead of failing or dropping it', async () => {
    const configured = inventory({ accounts: [{ accountId: MEMBER, roleArn: memberRole }] });
    const result = await configured.discover(scoped({ accounts: ['999988887777'] }), '999988887777');
    expect(result.sources).toEqual([]);
    expect(result.notes).toEqual([
      `Account 999988887777 was asked for, but this deployment has no inventory role for it (inventoryRoleArns covers ${MEMBER}): it is not inventoried.`,
    ]);
  });

  it('asks STS whose account the function runs in, and names an asked account that is not it', async () => {
    const sts = mockClient(STSClient);
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
    const own = inventory({ clients: { sts: () => new STSClient({}), s3: noCalls('S3') } });
    const result = await own.discover(scoped({ accounts: ['999988887777'] }), '999988887777');
    expect(result.notes).toEqual([
      `Account 999988887777 was asked for, but this deployment inventories only its own account (${ACCOUNT}) and has no inventoryRoleArns: it is not inventoried.`,
    ]);
    sts.restore();
  });

  it('looks only in the asked regions it inventories, and names an asked region it does not (a typo)', async () => {
    const cloudTrail = regional((region) => new CloudTrailClient({ region }), ['eu-west-1']);
    const logs = regional((region) => new CloudWatchLogsClient({ region }), ['eu-west-1']);
    cloudTrail.mock('eu-west-1').on(ListTrailsCommand).resolves({ Trails: [] });
    logs.mock('eu-west-1').on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    const result = await inventory({
      cloudTrailClient: cloudTrail.factory,
      cloudWatchLogsClient: logs.factory,
    }).discover(scoped({ regions: ['eu-west-1', 'eu-wset-1'] }));
    expect(cloudTrail.mock('eu-west-1')).toHaveReceivedCommand(ListTrailsCommand);
    expect(result.notes[0]).toBe(
      'Region eu-wset-1 was asked for, but this deployment inventories only us-east-1, eu-west-1 (inventoryRegions): it is not looked at. Check the name, or add the region and redeploy.',
    );
  });

  it('makes no call at all when no asked region is inventoried', async () => {
    const result = await inventory({}).discover(scoped({ regions: ['ap-south-2'] }));
    expect(result.sources).toEqual([]);
    expect(result.notes).toEqual([expect.stringMatching(/^Region ap-south-2 was asked for/)]);
  });

  it('does not look for trails when CloudTrail is not among the asked sources', async () => {
    const logs = regional((region) => new CloudWatchLogsClient({ region }), ['us-east-1', 'eu-west-1']);
    for (const region of ['us-east-1', 'eu-west-1'])
      logs.mock(region).on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    const result = await inventory({ cloudWatchLogsClient: logs.factory }).discover(
      scoped({ sources: ['eksaudit'] }),
    );
    expect(result.sources).toEqual([]);
    expect(logs.calls()).toHaveLength(2);
  });
});
