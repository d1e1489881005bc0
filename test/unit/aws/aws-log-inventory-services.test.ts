import { CloudFrontClient, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { CloudTrailClient, ListEventDataStoresCommand, ListTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchLogsClient,
  DescribeDeliverySourcesCommand,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceClient, DescribeConfigurationRecordersCommand } from '@aws-sdk/client-config-service';
import { DescribeFlowLogsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { ListResolverQueryLogConfigsCommand, Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { ListWebACLsCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { type AwsClientStub, type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { AwsLogInventory, inventoryIamActions } from '../../../shared/aws/aws-log-inventory.js';
import type { AccountAccess } from '../../../shared/aws/inventory/account-scope.js';
import { openCaseContext } from '../../../shared/domain/case.js';
import { assessCoverage } from '../../../shared/domain/coverage.js';
import { InvalidRequestError } from '../../../shared/errors.js';
import { ACCOUNT, MEMBER, serviceError } from '../../support/aws-inventory-kit.js';

const REGION = 'us-east-1';
const context = openCaseContext(
  { caseId: 'case-1', from: '2024-05-01T00:00:00Z', to: '2024-05-02T00:00:00Z' },
  'athena',
  new Date('2024-05-02T09:00:00Z'),
);
const now = () => new Date('2024-05-02T10:00:00Z');
const window = { from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T00:00:00.000Z', lostBefore: null };

type UntypedOutput = { $metadata: object } & Record<string, unknown>;
type Stub<C> = [AwsClientStub<C>] extends [never]
  ? AwsStub<object, UntypedOutput, unknown>
  : AwsClientStub<C>;

/** Every client of one account in us-east-1, each mocked, answering as an account with nothing in it. */
function emptyAccount(accountId: string) {
  const make = <C>(client: C) => ({ client, mock: mockClient(client as never) as unknown as Stub<C> });
  const clients = {
    cloudTrail: make(new CloudTrailClient({ region: REGION })),
    s3: make(new S3Client({ region: REGION })),
    cloudWatchLogs: make(new CloudWatchLogsClient({ region: REGION })),
    ec2: make(new EC2Client({ region: REGION })),
    route53Resolver: make(new Route53ResolverClient({ region: REGION })),
    elasticLoadBalancing: make(new ElasticLoadBalancingV2Client({ region: REGION })),
    cloudFront: make(new CloudFrontClient({ region: REGION })),
    wafv2: make(new WAFV2Client({ region: REGION })),
    eks: make(new EKSClient({ region: REGION })),
    guardDuty: make(new GuardDutyClient({ region: REGION })),
    securityHub: make(new SecurityHubClient({ region: REGION })),
    config: make(new ConfigServiceClient({ region: REGION })),
    sts: make(new STSClient({ region: REGION })),
  };
  clients.cloudTrail.mock.on(ListTrailsCommand).resolves({ Trails: [] });
  clients.cloudTrail.mock.on(ListEventDataStoresCommand).resolves({ EventDataStores: [] });
  clients.cloudWatchLogs.mock.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
  clients.cloudWatchLogs.mock.on(DescribeDeliverySourcesCommand).resolves({ deliverySources: [] });
  clients.cloudWatchLogs.mock.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
  clients.s3.mock.on(ListBucketsCommand).resolves({ Buckets: [] });
  clients.ec2.mock.on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
  clients.ec2.mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
  // The registry's newest Resolver client predates the Smithy types the mock is typed with.
  clients.route53Resolver.mock
    .on(ListResolverQueryLogConfigsCommand as never)
    .resolves({ ResolverQueryLogConfigs: [] });
  clients.elasticLoadBalancing.mock.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [] });
  clients.cloudFront.mock.on(ListDistributionsCommand).resolves({
    DistributionList: { Marker: '', MaxItems: 100, IsTruncated: false, Quantity: 0, Items: [] },
  });
  clients.wafv2.mock.on(ListWebACLsCommand).resolves({ WebACLs: [] });
  clients.eks.mock.on(ListClustersCommand).resolves({ clusters: [] });
  clients.guardDuty.mock.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
  clients.securityHub.mock
    .on(DescribeHubCommand)
    .resolves({ HubArn: `arn:aws:securityhub:${REGION}:${accountId}:hub/default` });
  clients.config.mock.on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: [] });
  clients.sts.mock.on(GetCallerIdentityCommand).resolves({
    Account: accountId,
    UserId: 'AROAEXAMPLE:fn',
    Arn: `arn:aws:sts::${accountId}:assumed-role/casefile-inventory/fn`,
  });
  return clients;
}
type AccountClients = ReturnType<typeof emptyAccount>;

/** The factories the inventory is given: by the account the access names, the own one without a role. */
function factories(byAccount: Record<string, AccountClients>, accesses: AccountAccess[] = []) {
  const pick = (access: AccountAccess) => {
    accesses.push(access);
    const clients = byAccount[access.roleArn ? (access.accountId ?? '') : ACCOUNT];
    if (!clients) throw new Error(`no clients for ${access.accountId}`);
    return clients;
  };
  const keys = Object.keys(emptyAccount(ACCOUNT)) as (keyof AccountClients)[];
  return Object.fromEntries(
    keys.map((key) => [key, (_region: string, access: AccountAccess) => pick(access)[key].client]),
  ) as never;
}

const logGroup = (accountId: string, name: string) => ({
  logGroupName: name,
  creationTime: Date.parse('2023-06-01T00:00:00Z'),
  arn: `arn:aws:logs:${REGION}:${accountId}:log-group:${name}:*`,
  logGroupArn: `arn:aws:logs:${REGION}:${accountId}:log-group:${name}`,
  storedBytes: 1024,
});

describe('AwsLogInventory with every service', () => {
  it('merges the services, exports a group once, and puts each gap on its location or in the gaps', async () => {
    const own = emptyAccount(ACCOUNT);
    own.ec2.mock.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        {
          FlowLogId: 'fl-01',
          ResourceId: 'vpc-0aaa',
          TrafficType: 'ALL',
          LogDestinationType: 's3',
          LogDestination: 'arn:aws:s3:::acme-flow-logs',
          DeliverLogsStatus: 'SUCCESS',
          FlowLogStatus: 'ACTIVE',
        },
      ],
    });
    own.ec2.mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0aaa' }, { VpcId: 'vpc-0bbb' }] });
    own.eks.mock.on(ListClustersCommand).resolves({ clusters: ['prod'] });
    own.eks.mock.on(DescribeClusterCommand).resolves({
      cluster: { name: 'prod', logging: { clusterLogging: [{ types: ['audit'], enabled: true }] } },
    });
    own.cloudWatchLogs.mock
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [logGroup(ACCOUNT, '/aws/eks/prod/cluster')] });

    const result = await new AwsLogInventory({
      regions: [REGION],
      clients: factories({ [ACCOUNT]: own }),
      now,
    }).discover(context);

    expect(result.sources).toEqual([
      {
        source: 'vpcflow',
        location: 's3://acme-flow-logs/',
        accounts: [ACCOUNT],
        regions: [REGION],
        details: expect.objectContaining({ coverage: 'vpc-0bbb in us-east-1 has no flow log' }),
      },
    ]);
    expect(result.exports).toEqual([
      { logGroup: '/aws/eks/prod/cluster', account: ACCOUNT, region: REGION, ...window, source: 'eksaudit' },
    ]);
    expect(result.gaps).toEqual([
      {
        source: 'route53resolver',
        reason: '2 VPCs in us-east-1 have no Resolver query logging: vpc-0aaa, vpc-0bbb',
      },
      { source: 'guardduty', reason: 'GuardDuty has no detector in us-east-1' },
    ]);
    // Flow logs and Resolver query logging both check the VPCs: EC2 is asked once.
    expect(own.ec2.mock).toHaveReceivedCommandTimes(DescribeVpcsCommand, 1);
    expect(own.cloudWatchLogs.mock).toHaveReceivedCommandWith(DescribeSubscriptionFiltersCommand, {
      logGroupName: '/aws/eks/prod/cluster',
    });
    expect(own.sts.mock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    const coverage = Object.fromEntries(assessCoverage(result).map((c) => [c.source, [c.status, c.detail]]));
    expect(coverage.vpcflow).toEqual(['partial', 'vpc-0bbb in us-east-1 has no flow log']);
    expect(coverage.eksaudit).toEqual(['present', 'CloudWatch Logs /aws/eks/prod/cluster']);
    expect(coverage.guardduty).toEqual(['missing', 'GuardDuty has no detector in us-east-1']);
    expect(result.notes).toEqual([
      expect.stringMatching(/^No CloudTrail trail found in us-east-1/),
      'Security Hub is enabled in us-east-1: its findings add context to the case.',
      'AWS Config us-east-1: no recorder. Where it records, the configuration history of resources in the window can be read from Config.',
    ]);
  });

  it('inventories each account through its role, merges them, and notes an account it cannot reach', async () => {
    const own = emptyAccount(ACCOUNT);
    const member = emptyAccount(MEMBER);
    const OTHER = '777788889999';
    const memberRole = `arn:aws:iam::${MEMBER}:role/casefile-inventory-readonly`;
    const otherRole = `arn:aws:iam::${OTHER}:role/casefile-inventory-readonly`;
    own.sts.mock.on(AssumeRoleCommand, { RoleArn: memberRole }).resolves({
      Credentials: {
        AccessKeyId: 'ASIAMEMBER',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date('2024-05-02T11:00:00Z'),
      },
    });
    own.sts.mock
      .on(AssumeRoleCommand, { RoleArn: otherRole })
      .rejects(
        serviceError(
          STSServiceException,
          'AccessDenied',
          `not authorized to perform: sts:AssumeRole on resource: ${otherRole}`,
          403,
        ),
      );
    own.eks.mock.on(ListClustersCommand).resolves({ clusters: ['prod'] });
    own.eks.mock.on(DescribeClusterCommand).resolves({
      cluster: { name: 'prod', logging: { clusterLogging: [{ types: ['audit'], enabled: true }] } },
    });
    own.cloudWatchLogs.mock
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [logGroup(ACCOUNT, '/aws/eks/prod/cluster')] });
    member.eks.mock.on(ListClustersCommand).resolves({ clusters: ['prod'] });
    member.eks.mock.on(DescribeClusterCommand).resolves({
      cluster: { name: 'prod', logging: { clusterLogging: [{ types: ['audit'], enabled: false }] } },
    });
    member.cloudWatchLogs.mock
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [logGroup(MEMBER, '/aws/lambda/payments')] });
    const accesses: AccountAccess[] = [];

    const result = await new AwsLogInventory({
      regions: [REGION],
      clients: factories({ [ACCOUNT]: own, [MEMBER]: member }, accesses),
      services: ['eks'],
      accounts: [
        { accountId: ACCOUNT },
        { accountId: MEMBER, roleArn: memberRole },
        { accountId: OTHER, roleArn: otherRole },
      ],
      now,
    }).discover(context);

    expect(own.sts.mock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: memberRole,
      RoleSessionName: 'casefile-case-1',
    });
    const memberAccess = accesses.find((a) => a.accountId === MEMBER);
    expect(await memberAccess?.credentials?.()).toMatchObject({ accessKeyId: 'ASIAMEMBER' });
    expect(result.exports).toEqual([
      { logGroup: '/aws/eks/prod/cluster', account: ACCOUNT, region: REGION, ...window, source: 'eksaudit' },
    ]);
    expect(result.gaps).toEqual([
      {
        source: 'eksaudit',
        reason: `Account ${MEMBER}: EKS cluster prod in us-east-1 has audit logging off`,
      },
    ]);
    expect(result.notes).toEqual([
      `Account ${ACCOUNT}: No CloudTrail trail found in us-east-1: only the 90-day CloudTrail event history would hold API activity, and it is not read by this inventory.`,
      `Account ${MEMBER}: No CloudTrail trail found in us-east-1: only the 90-day CloudTrail event history would hold API activity, and it is not read by this inventory.`,
      `Account ${MEMBER}: 1 log group(s) in us-east-1 are not exported (/aws/lambda/payments): export tasks run with the case account's own credentials, which cannot read this account's groups.`,
      expect.stringMatching(
        new RegExp(
          `^Account ${OTHER}: The role ${otherRole} could not be assumed \\(AccessDenied: .*\\): the account is not inventoried\\.$`,
        ),
      ),
    ]);
  });

  it('names its accounts for the workflow to fan out, and inventories one of them when asked', async () => {
    const own = emptyAccount(ACCOUNT);
    const member = emptyAccount(MEMBER);
    const memberRole = `arn:aws:iam::${MEMBER}:role/casefile-inventory-readonly`;
    own.sts.mock.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAMEMBER',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date('2024-05-02T11:00:00Z'),
      },
    });
    member.eks.mock.on(ListClustersCommand).resolves({ clusters: [] });
    const inventory = new AwsLogInventory({
      regions: [REGION],
      clients: factories({ [ACCOUNT]: own, [MEMBER]: member }, []),
      services: ['eks'],
      accounts: [{ accountId: ACCOUNT }, { accountId: MEMBER, roleArn: memberRole }],
      now,
    });
    expect(await inventory.accounts(context)).toEqual([ACCOUNT, MEMBER]);

    const result = await inventory.discover(context, MEMBER);

    expect(own.eks.mock).not.toHaveReceivedCommand(ListClustersCommand);
    expect(member.eks.mock).toHaveReceivedCommand(ListClustersCommand);
    expect(result.notes.every((note) => note.startsWith(`Account ${MEMBER}: `))).toBe(true);
    await expect(inventory.discover(context, '999999999999')).rejects.toThrow(
      /not one the inventory is set up for/,
    );
  });

  it('refuses an account list it cannot trust', () => {
    const make = (accounts: { accountId: string; roleArn?: string }[]) => () =>
      new AwsLogInventory({ regions: [REGION], accounts });
    expect(make([{ accountId: MEMBER, roleArn: `arn:aws:iam::${ACCOUNT}:role/x` }])).toThrow(
      InvalidRequestError,
    );
    expect(make([{ accountId: '1234' }])).toThrow(InvalidRequestError);
    expect(make([{ accountId: ACCOUNT }, { accountId: MEMBER }])).toThrow(/without a role/);
  });

  it('names every IAM action of its calls, read-only ones only', () => {
    expect(inventoryIamActions).toContain('ec2:DescribeFlowLogs');
    expect(inventoryIamActions).toContain('s3:ListAllMyBuckets');
    for (const action of inventoryIamActions) {
      expect(action).toMatch(/^[a-z0-9-]+:(List|Describe|Get)[A-Za-z]+$/);
    }
  });
});
