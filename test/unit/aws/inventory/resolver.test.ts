import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AccessDeniedException,
  ListResolverQueryLogConfigAssociationsCommand as ListAssociationsCommand,
  ListResolverQueryLogConfigsCommand as ListConfigsCommand,
  type ResolverQueryLogConfig,
  type ResolverQueryLogConfigAssociation,
  Route53ResolverClient,
  Route53ResolverServiceException,
} from '@aws-sdk/client-route53resolver';
import { describe, expect, it } from 'vitest';
import { resolverInventory } from '../../../../shared/aws/inventory/resolver.js';
import {
  ACCOUNT,
  accountScope,
  deniedMessage,
  expectDeclaredActions,
  regional,
  run,
  serviceError,
} from '../../../support/aws-inventory-kit.js';

/**
 * The registry's newest Route 53 Resolver client predates the Smithy types aws-sdk-client-mock is
 * typed with, so its commands are handed to the mock untyped.
 */
const ListResolverQueryLogConfigsCommand = ListConfigsCommand as never;
const ListResolverQueryLogConfigAssociationsCommand = ListAssociationsCommand as never;

/** A ResolverQueryLogConfigs entry as ListResolverQueryLogConfigs returns it. */
function config(
  id: string,
  destination: string,
  fields: Partial<ResolverQueryLogConfig> = {},
): ResolverQueryLogConfig {
  return {
    Id: id,
    OwnerId: ACCOUNT,
    Status: 'CREATED',
    ShareStatus: 'NOT_SHARED',
    AssociationCount: 1,
    Arn: `arn:aws:route53resolver:us-east-1:${ACCOUNT}:resolver-query-log-config/${id}`,
    Name: `${id}-name`,
    DestinationArn: destination,
    CreatorRequestId: 'console-1',
    CreationTime: '2023-05-10T12:00:00.000Z',
    ...fields,
  };
}

function association(
  configId: string,
  vpc: string,
  fields: Partial<ResolverQueryLogConfigAssociation> = {},
): ResolverQueryLogConfigAssociation {
  return {
    Id: `rqlca-${vpc}`,
    ResolverQueryLogConfigId: configId,
    ResourceId: vpc,
    Status: 'ACTIVE',
    Error: 'NONE',
    ErrorMessage: '',
    CreationTime: '2023-05-10T12:01:00.000Z',
    ...fields,
  };
}

function setUp(...regions: string[]) {
  const resolver = regional((region) => new Route53ResolverClient({ region }), regions);
  const ec2 = regional((region) => new EC2Client({ region }), regions);
  for (const region of regions) {
    ec2.mock(region).on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    resolver
      .mock(region)
      .on(ListResolverQueryLogConfigAssociationsCommand)
      .resolves({ ResolverQueryLogConfigAssociations: [] });
  }
  return {
    resolver,
    ec2,
    scope: accountScope(regions, { route53Resolver: resolver.factory, ec2: ec2.factory }),
  };
}

describe('resolverInventory', () => {
  it('finds the S3 folders and VPC folders of query logging, export candidates, and VPCs left out', async () => {
    const { resolver, ec2, scope } = setUp('us-east-1', 'eu-west-1');
    resolver
      .mock('us-east-1')
      .on(ListResolverQueryLogConfigsCommand)
      .resolvesOnce({
        ResolverQueryLogConfigs: [config('rqlc-s3', 'arn:aws:s3:::acme-dns-logs/resolver')],
        NextToken: 'page-2',
        TotalCount: 2,
        TotalFilteredCount: 2,
      })
      .resolvesOnce({
        ResolverQueryLogConfigs: [
          config('rqlc-cwl', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/dns/queries`),
          config('rqlc-idle', 'arn:aws:s3:::acme-dns-logs/idle', { AssociationCount: 0 }),
        ],
      });
    resolver
      .mock('us-east-1')
      .on(ListResolverQueryLogConfigAssociationsCommand)
      .resolvesOnce({
        ResolverQueryLogConfigAssociations: [
          association('rqlc-s3', 'vpc-0aaa'),
          association('rqlc-s3', 'vpc-0bbb'),
        ],
        NextToken: 'assoc-2',
      })
      .resolvesOnce({
        ResolverQueryLogConfigAssociations: [
          association('rqlc-cwl', 'vpc-0ccc'),
          association('rqlc-s3', 'vpc-0ddd', {
            Status: 'ACTION_NEEDED',
            Error: 'DESTINATION_NOT_FOUND',
            ErrorMessage: 'The bucket does not exist',
          }),
        ],
      });
    ec2
      .mock('us-east-1')
      .on(DescribeVpcsCommand)
      .resolves({
        Vpcs: ['vpc-0aaa', 'vpc-0bbb', 'vpc-0ccc', 'vpc-0ddd'].map((VpcId) => ({ VpcId, OwnerId: ACCOUNT })),
      });
    resolver
      .mock('eu-west-1')
      .on(ListResolverQueryLogConfigsCommand)
      .resolves({ ResolverQueryLogConfigs: [config('rqlc-eu', 'arn:aws:s3:::acme-dns-logs/resolver')] });
    resolver
      .mock('eu-west-1')
      .on(ListResolverQueryLogConfigAssociationsCommand)
      .resolves({ ResolverQueryLogConfigAssociations: [association('rqlc-eu', 'vpc-0e00')] });

    const found = await run(resolverInventory, scope);

    expect(resolver.mock('us-east-1')).toHaveReceivedNthCommandWith(ListResolverQueryLogConfigsCommand, 2, {
      NextToken: 'page-2',
    });
    expect(resolver.mock('us-east-1')).toHaveReceivedNthCommandWith(
      ListResolverQueryLogConfigAssociationsCommand,
      2,
      {
        NextToken: 'assoc-2',
      },
    );
    expect(found.sources).toEqual([
      {
        source: 'route53resolver',
        location: 's3://acme-dns-logs/resolver/',
        accounts: [ACCOUNT],
        regions: ['eu-west-1', 'us-east-1'],
        resourceFolders: ['vpc-0aaa', 'vpc-0bbb', 'vpc-0e00'],
        details: { queryLogConfigs: 'rqlc-s3-name, rqlc-eu-name' },
      },
    ]);
    expect(found.logGroups).toEqual([
      {
        logGroup: '/dns/queries',
        region: 'us-east-1',
        source: 'route53resolver',
        writer: 'the Resolver query logging configuration rqlc-cwl-name (rqlc-cwl)',
      },
    ]);
    expect(found.notes).toEqual([
      'The Resolver query logging configuration rqlc-s3-name (rqlc-s3) in us-east-1 does not log vpc-0ddd: ' +
        'ACTION_NEEDED (The bucket does not exist).',
    ]);
    expect(found.gaps).toEqual([
      {
        source: 'route53resolver',
        region: 'us-east-1',
        reason: 'vpc-0ddd in us-east-1 has no Resolver query logging',
      },
    ]);
    expectDeclaredActions(resolverInventory, ['route53resolver', resolver.calls()], ['ec2', ec2.calls()]);
  });

  it('notes a denied listing and a region without the service, and goes on', async () => {
    const { resolver, scope } = setUp('us-east-1', 'ap-east-1');
    resolver
      .mock('us-east-1')
      .on(ListResolverQueryLogConfigsCommand)
      .rejects(
        new AccessDeniedException({
          message: deniedMessage('route53resolver:ListResolverQueryLogConfigs'),
          $metadata: { httpStatusCode: 400 },
        }),
      );
    resolver
      .mock('ap-east-1')
      .on(ListResolverQueryLogConfigsCommand)
      .rejects(
        serviceError(
          Route53ResolverServiceException,
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
        ),
      );

    const found = await run(resolverInventory, scope);

    expect(found.sources).toEqual([]);
    expect(found.notes).toEqual([
      expect.stringMatching(
        /^Route 53 Resolver ListResolverQueryLogConfigs in us-east-1 was denied \(AccessDeniedException/,
      ),
      expect.stringMatching(
        /^Route 53 Resolver ListResolverQueryLogConfigs in ap-east-1 is not offered or not enabled there/,
      ),
    ]);
  });

  it('says every VPC is unlogged when the region has no configuration', async () => {
    const { resolver, ec2, scope } = setUp('us-east-1');
    resolver
      .mock('us-east-1')
      .on(ListResolverQueryLogConfigsCommand)
      .resolves({ ResolverQueryLogConfigs: [] });
    ec2
      .mock('us-east-1')
      .on(DescribeVpcsCommand)
      .resolves({ Vpcs: [{ VpcId: 'vpc-0aaa', IsDefault: true }, { VpcId: 'vpc-0bbb' }] });

    const found = await run(resolverInventory, scope);

    expect(resolver.mock('us-east-1')).not.toHaveReceivedCommand(
      ListResolverQueryLogConfigAssociationsCommand,
    );
    expect(found.gaps).toEqual([
      {
        source: 'route53resolver',
        region: 'us-east-1',
        reason: '2 VPCs in us-east-1 have no Resolver query logging: vpc-0aaa (default), vpc-0bbb',
      },
    ]);
  });
});
