import {
  DescribeLoadBalancerAttributesCommand,
  type DescribeLoadBalancerAttributesCommandInput,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  type LoadBalancer,
  LoadBalancerNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { loadBalancersInventory } from '../../../../shared/aws/inventory/load-balancers.js';
import {
  ACCOUNT,
  accountScope,
  deniedMessage,
  expectDeclaredActions,
  regional,
  run,
  serviceError,
} from '../../../support/aws-inventory-kit.js';

const arnOf = (region: string, type: 'app' | 'net' | 'gwy', name: string) =>
  `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:loadbalancer/${type}/${name}/50dc6c495c0c9188`;

/** A LoadBalancers entry as DescribeLoadBalancers returns it (ELBv2 API reference). */
function balancer(region: string, name: string, type: LoadBalancer['Type'] = 'application'): LoadBalancer {
  const short = type === 'application' ? 'app' : type === 'network' ? 'net' : 'gwy';
  return {
    LoadBalancerArn: arnOf(region, short, name),
    DNSName: `${name}-1234567890.${region}.elb.amazonaws.com`,
    CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
    CreatedTime: new Date('2023-02-01T00:00:00Z'),
    LoadBalancerName: name,
    Scheme: 'internet-facing',
    VpcId: 'vpc-0aaa',
    State: { Code: 'active' },
    Type: type,
    AvailabilityZones: [],
    SecurityGroups: [],
    IpAddressType: 'ipv4',
  };
}

/** The attributes of each load balancer by ARN, as DescribeLoadBalancerAttributes lists them. */
function attributes(
  elb: ReturnType<typeof setUp>['elb'],
  region: string,
  byArn: Record<string, { bucket?: string; prefix?: string } | Error>,
) {
  elb
    .mock(region)
    .on(DescribeLoadBalancerAttributesCommand)
    .callsFake((input: DescribeLoadBalancerAttributesCommandInput) => {
      const logs = byArn[input.LoadBalancerArn ?? ''];
      if (logs instanceof Error) throw logs;
      return {
        Attributes: [
          { Key: 'access_logs.s3.enabled', Value: logs?.bucket ? 'true' : 'false' },
          { Key: 'access_logs.s3.bucket', Value: logs?.bucket ?? '' },
          { Key: 'access_logs.s3.prefix', Value: logs?.prefix ?? '' },
          { Key: 'deletion_protection.enabled', Value: 'false' },
          { Key: 'idle_timeout.timeout_seconds', Value: '60' },
        ],
      };
    });
}

function setUp(...regions: string[]) {
  const elb = regional((region) => new ElasticLoadBalancingV2Client({ region }), regions);
  return { elb, scope: accountScope(regions, { elasticLoadBalancing: elb.factory }) };
}

describe('loadBalancersInventory', () => {
  it('finds access log folders of application and network load balancers, and the ALBs without', async () => {
    const { elb, scope } = setUp('us-east-1', 'eu-west-1');
    elb
      .mock('us-east-1')
      .on(DescribeLoadBalancersCommand)
      .resolvesOnce({ LoadBalancers: [balancer('us-east-1', 'web')], NextMarker: 'page-2' })
      .resolvesOnce({
        LoadBalancers: [
          balancer('us-east-1', 'api'),
          balancer('us-east-1', 'internal-admin'),
          balancer('us-east-1', 'tls-edge', 'network'),
          balancer('us-east-1', 'inspection', 'gateway'),
          balancer('us-east-1', 'gone'),
        ],
      });
    attributes(elb, 'us-east-1', {
      [arnOf('us-east-1', 'app', 'web')]: { bucket: 'acme-elb-logs', prefix: 'prod' },
      [arnOf('us-east-1', 'app', 'api')]: { bucket: 'acme-elb-logs', prefix: 'prod' },
      [arnOf('us-east-1', 'net', 'tls-edge')]: { bucket: 'acme-elb-logs', prefix: 'prod' },
      [arnOf('us-east-1', 'app', 'internal-admin')]: {},
      [arnOf('us-east-1', 'app', 'gone')]: new LoadBalancerNotFoundException({
        message: `Load balancers '[${arnOf('us-east-1', 'app', 'gone')}]' not found`,
        $metadata: { httpStatusCode: 400 },
      }),
    });
    elb
      .mock('eu-west-1')
      .on(DescribeLoadBalancersCommand)
      .resolves({ LoadBalancers: [balancer('eu-west-1', 'shop')] });
    attributes(elb, 'eu-west-1', {
      [arnOf('eu-west-1', 'app', 'shop')]: { bucket: 'acme-elb-logs', prefix: 'prod' },
    });

    const found = await run(loadBalancersInventory, scope);

    expect(elb.mock('us-east-1')).toHaveReceivedNthCommandWith(DescribeLoadBalancersCommand, 2, {
      Marker: 'page-2',
    });
    expect(elb.mock('us-east-1')).not.toHaveReceivedCommandWith(DescribeLoadBalancerAttributesCommand, {
      LoadBalancerArn: arnOf('us-east-1', 'gwy', 'inspection'),
    });
    expect(found.sources).toEqual([
      {
        source: 'alb',
        location: 's3://acme-elb-logs/prod/',
        accounts: [ACCOUNT],
        regions: ['eu-west-1', 'us-east-1'],
        details: { applicationLoadBalancers: 'web, api, shop', networkLoadBalancers: 'tls-edge' },
      },
    ]);
    expect(found.gaps).toEqual([
      {
        source: 'alb',
        region: 'us-east-1',
        reason: '1 Application Load Balancer in us-east-1 without access logs: internal-admin',
      },
    ]);
    expect(found.notes).toEqual([
      'Network Load Balancer tls-edge writes TLS access logs to s3://acme-elb-logs/prod/: they share the ' +
        'elasticloadbalancing folders, and the alb table reads only Application Load Balancer lines.',
    ]);
    expectDeclaredActions(loadBalancersInventory, ['elasticloadbalancing', elb.calls()]);
  });

  it('notes denied calls and a region without the service', async () => {
    const { elb, scope } = setUp('us-east-1', 'il-central-1');
    elb
      .mock('us-east-1')
      .on(DescribeLoadBalancersCommand)
      .resolves({ LoadBalancers: [balancer('us-east-1', 'web')] });
    attributes(elb, 'us-east-1', {
      [arnOf('us-east-1', 'app', 'web')]: serviceError(
        ElasticLoadBalancingV2ServiceException,
        'AccessDenied',
        deniedMessage('elasticloadbalancing:DescribeLoadBalancerAttributes'),
        403,
      ),
    });
    elb
      .mock('il-central-1')
      .on(DescribeLoadBalancersCommand)
      .rejects(
        serviceError(
          ElasticLoadBalancingV2ServiceException,
          'InvalidClientTokenId',
          'The security token included in the request is invalid.',
          403,
        ),
      );

    const found = await run(loadBalancersInventory, scope);

    expect(found.sources).toEqual([]);
    expect(found.gaps).toEqual([]);
    expect(found.notes).toEqual([
      expect.stringMatching(
        /^ELBv2 DescribeLoadBalancerAttributes for web in us-east-1 was denied \(AccessDenied/,
      ),
      expect.stringMatching(
        /^ELBv2 DescribeLoadBalancers in il-central-1 is not offered or not enabled there/,
      ),
    ]);
  });
});
