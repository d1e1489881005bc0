import {
  DescribeFlowLogsCommand,
  DescribeVpcsCommand,
  EC2Client,
  EC2ServiceException,
  type FlowLog,
  type Vpc,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { flowLogsInventory } from '../../../../shared/aws/inventory/flow-logs.js';
import {
  ACCOUNT,
  accountScope,
  deniedMessage,
  expectDeclaredActions,
  regional,
  run,
  serviceError,
} from '../../../support/aws-inventory-kit.js';

/** `${version} ${account-id} ...`, as a flow log's LogFormat names its fields. */
const formatOf = (fields: string) =>
  fields
    .split(' ')
    .map((field) => `\${${field}}`)
    .join(' ');
const DEFAULT_FORMAT = formatOf(
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
);
const CUSTOM_FORMAT = formatOf('version vpc-id srcaddr dstaddr srcport dstport action flow-direction');

/** A FlowLogs entry as DescribeFlowLogs returns it (EC2 API reference). */
function flowLog(id: string, resource: string, fields: Partial<FlowLog> = {}): FlowLog {
  return {
    CreationTime: new Date('2023-03-01T10:00:00Z'),
    DeliverLogsStatus: 'SUCCESS',
    FlowLogId: id,
    FlowLogStatus: 'ACTIVE',
    ResourceId: resource,
    TrafficType: 'ALL',
    LogDestinationType: 's3',
    LogDestination: 'arn:aws:s3:::acme-flow-logs/vpc',
    LogFormat: DEFAULT_FORMAT,
    MaxAggregationInterval: 600,
    DestinationOptions: {
      FileFormat: 'plain-text',
      HiveCompatiblePartitions: false,
      PerHourPartition: false,
    },
    Tags: [],
    ...fields,
  };
}

function vpc(id: string, fields: Partial<Vpc> = {}): Vpc {
  return {
    VpcId: id,
    OwnerId: ACCOUNT,
    State: 'available',
    CidrBlock: '10.0.0.0/16',
    IsDefault: false,
    InstanceTenancy: 'default',
    DhcpOptionsId: 'dopt-0a1b2c3d',
    ...fields,
  };
}

function setUp(...regions: string[]) {
  const ec2 = regional((region) => new EC2Client({ region }), regions);
  for (const region of regions) ec2.mock(region).on(DescribeVpcsCommand).resolves({ Vpcs: [] });
  return { ec2, scope: accountScope(regions, { ec2: ec2.factory }) };
}

describe('flowLogsInventory', () => {
  it('pages through flow logs and VPCs, groups S3 folders by format, and tells the rest apart', async () => {
    const { ec2, scope } = setUp('us-east-1', 'eu-west-1');
    ec2
      .mock('us-east-1')
      .on(DescribeFlowLogsCommand)
      .resolvesOnce({ FlowLogs: [flowLog('fl-01', 'vpc-0aaa')], NextToken: 'page-2' })
      .resolvesOnce({
        FlowLogs: [
          flowLog('fl-02', 'vpc-0bbb', {
            LogDestination: 'arn:aws:s3:::acme-flow-logs/vpc/',
            LogFormat: CUSTOM_FORMAT,
            DestinationOptions: {
              FileFormat: 'parquet',
              HiveCompatiblePartitions: false,
              PerHourPartition: true,
            },
          }),
          flowLog('fl-03', 'vpc-0ccc', {
            LogDestinationType: 'cloud-watch-logs',
            LogDestination: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:vpc-flow-ccc`,
            LogGroupName: 'vpc-flow-ccc',
            DeliverLogsPermissionArn: `arn:aws:iam::${ACCOUNT}:role/flow-logs`,
          }),
          flowLog('fl-04', 'eni-0ddd', {
            LogDestinationType: 'kinesis-data-firehose',
            LogDestination: `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/siem`,
          }),
        ],
      });
    ec2
      .mock('us-east-1')
      .on(DescribeVpcsCommand)
      .resolvesOnce({ Vpcs: [vpc('vpc-0aaa'), vpc('vpc-0bbb')], NextToken: 'vpcs-2' })
      .resolvesOnce({
        Vpcs: [
          vpc('vpc-0ccc'),
          vpc('vpc-0eee', { IsDefault: true }),
          vpc('vpc-0fff', { Tags: [{ Key: 'Name', Value: 'staging' }] }),
        ],
      });
    ec2
      .mock('eu-west-1')
      .on(DescribeFlowLogsCommand)
      .resolves({ FlowLogs: [flowLog('fl-05', 'vpc-0999')] });
    ec2
      .mock('eu-west-1')
      .on(DescribeVpcsCommand)
      .resolves({ Vpcs: [vpc('vpc-0999')] });

    const found = await run(flowLogsInventory, scope);

    expect(ec2.mock('us-east-1')).toHaveReceivedNthCommandWith(DescribeFlowLogsCommand, 2, {
      NextToken: 'page-2',
    });
    expect(ec2.mock('us-east-1')).toHaveReceivedNthCommandWith(DescribeVpcsCommand, 2, {
      NextToken: 'vpcs-2',
    });
    expect(found.sources).toEqual([
      {
        source: 'vpcflow',
        location: 's3://acme-flow-logs/vpc/',
        accounts: [ACCOUNT],
        regions: ['eu-west-1', 'us-east-1'],
        details: {
          flowLogs: 'fl-01, fl-05',
          resources: 'vpc-0aaa, vpc-0999',
          logFormat: DEFAULT_FORMAT,
          fileFormat: 'plain-text',
          layout:
            'text:version,account-id,interface-id,srcaddr,dstaddr,srcport,dstport,protocol,packets,bytes,start,end,action,log-status',
          trafficTypes: 'ALL',
          hiveCompatiblePartitions: false,
          perHourPartition: false,
        },
      },
      {
        source: 'vpcflow',
        location: 's3://acme-flow-logs/vpc/',
        accounts: [ACCOUNT],
        regions: ['us-east-1'],
        details: expect.objectContaining({
          flowLogs: 'fl-02',
          logFormat: CUSTOM_FORMAT,
          fileFormat: 'parquet',
          layout: 'parquet',
          perHourPartition: true,
        }),
      },
    ]);
    expect(found.logGroups).toEqual([
      {
        logGroup: 'vpc-flow-ccc',
        region: 'us-east-1',
        source: 'vpcflow',
        writer: 'flow log fl-03 (vpc-0ccc)',
      },
    ]);
    expect(found.notes).toEqual([
      `The flow log fl-04 (eni-0ddd) in us-east-1 delivers to the Firehose stream arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/siem: where the stream puts the records is not inventoried.`,
    ]);
    expect(found.gaps).toEqual([
      {
        source: 'vpcflow',
        region: 'us-east-1',
        reason:
          '2 VPCs in us-east-1 have no flow log: vpc-0eee (default), vpc-0fff (staging) ' +
          '(1 subnet or interface flow log in the region may cover parts)',
      },
    ]);
    expectDeclaredActions(flowLogsInventory, ['ec2', ec2.calls()]);
  });

  it('does not export a custom format in CloudWatch Logs, and notes it, a failing delivery and traffic recorded only in part', async () => {
    const { ec2, scope } = setUp('us-east-1');
    ec2
      .mock('us-east-1')
      .on(DescribeFlowLogsCommand)
      .resolves({
        FlowLogs: [
          flowLog('fl-11', 'vpc-0aaa', {
            LogDestinationType: 'cloud-watch-logs',
            LogDestination: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/vpc/custom`,
            LogGroupName: '/vpc/custom',
            LogFormat: CUSTOM_FORMAT,
            TrafficType: 'REJECT',
          }),
          flowLog('fl-12', 'vpc-0bbb', {
            DeliverLogsStatus: 'FAILED',
            DeliverLogsErrorMessage: 'Access error',
            DestinationOptions: {
              FileFormat: 'plain-text',
              HiveCompatiblePartitions: true,
              PerHourPartition: false,
            },
          }),
        ],
      });

    const found = await run(flowLogsInventory, scope);

    expect(found.notes).toEqual([
      'The flow log fl-11 (vpc-0aaa) in us-east-1 writes a custom format to log group /vpc/custom, which is not ' +
        'exported: CloudWatch Logs keeps no header line, and only default-format records are recognised without one.',
      'The flow log fl-12 (vpc-0bbb) in us-east-1 fails to deliver (Access error): records since the failure may be missing.',
    ]);
    expect(found.logGroups).toEqual([]);
    expect(found.gaps).toEqual([
      {
        source: 'vpcflow',
        region: 'us-east-1',
        reason: 'flow log fl-11 (vpc-0aaa) in us-east-1 records only REJECT traffic',
      },
    ]);
    expect(found.sources[0]?.details?.coverage).toMatch(/use Hive-compatible folders .* does not project$/);
  });

  it('notes a region that is not enabled and a denied DescribeVpcs, and goes on', async () => {
    const { ec2, scope } = setUp('us-east-1', 'me-south-1');
    ec2
      .mock('me-south-1')
      .on(DescribeFlowLogsCommand)
      .rejects(
        serviceError(
          EC2ServiceException,
          'OptInRequired',
          'You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe.',
          401,
        ),
      );
    ec2
      .mock('us-east-1')
      .on(DescribeFlowLogsCommand)
      .resolves({ FlowLogs: [flowLog('fl-21', 'vpc-0aaa')] });
    ec2
      .mock('us-east-1')
      .on(DescribeVpcsCommand)
      .rejects(
        serviceError(EC2ServiceException, 'UnauthorizedOperation', deniedMessage('ec2:DescribeVpcs'), 403),
      );

    const found = await run(flowLogsInventory, scope);

    expect(found.sources.map((s) => [s.location, s.regions])).toEqual([
      ['s3://acme-flow-logs/vpc/', ['us-east-1']],
    ]);
    expect(found.gaps).toEqual([]);
    expect(found.notes).toEqual([
      expect.stringMatching(
        /^EC2 DescribeVpcs in us-east-1 was denied \(UnauthorizedOperation: .*ec2:DescribeVpcs\)/,
      ),
      expect.stringMatching(
        /^EC2 DescribeFlowLogs in me-south-1 is not offered or not enabled there \(OptInRequired/,
      ),
    ]);
  });

  it('says every VPC of a region without any flow log is uncovered', async () => {
    const { ec2, scope } = setUp('us-east-1');
    ec2.mock('us-east-1').on(DescribeFlowLogsCommand).resolves({ FlowLogs: [] });
    ec2
      .mock('us-east-1')
      .on(DescribeVpcsCommand)
      .resolves({ Vpcs: [vpc('vpc-0aaa', { Tags: [{ Key: 'Name', Value: 'prod' }] })] });

    const found = await run(flowLogsInventory, scope);

    expect(found.sources).toEqual([]);
    expect(found.gaps).toEqual([
      { source: 'vpcflow', region: 'us-east-1', reason: 'vpc-0aaa (prod) in us-east-1 has no flow log' },
    ]);
  });
});
