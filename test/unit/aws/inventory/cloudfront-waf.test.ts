import {
  CloudFrontClient,
  type DistributionConfig,
  type DistributionSummary,
  GetDistributionConfigCommand,
  type GetDistributionConfigCommandInput,
  ListDistributionsCommand,
  type LoggingConfig,
} from '@aws-sdk/client-cloudfront';
import { CloudWatchLogsClient, DescribeDeliverySourcesCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  GetLoggingConfigurationCommand,
  type GetLoggingConfigurationCommandInput,
  ListWebACLsCommand,
  type LoggingConfiguration,
  WAFNonexistentItemException,
  WAFV2Client,
  WAFV2ServiceException,
} from '@aws-sdk/client-wafv2';
import { describe, expect, it } from 'vitest';
import { cloudFrontInventory, wafInventory } from '../../../../shared/aws/inventory/cloudfront-waf.js';
import {
  ACCOUNT,
  accountScope,
  expectDeclaredActions,
  regional,
  run,
  serviceError,
} from '../../../support/aws-inventory-kit.js';

const distributionArn = (id: string) => `arn:aws:cloudfront::${ACCOUNT}:distribution/${id}`;

/** An Items entry of ListDistributions' DistributionList (CloudFront API reference), the parts read. */
function distribution(id: string, fields: Partial<DistributionSummary> = {}): DistributionSummary {
  return {
    Id: id,
    ARN: distributionArn(id),
    Status: 'Deployed',
    LastModifiedTime: new Date('2024-01-10T00:00:00Z'),
    DomainName: `${id.toLowerCase()}.cloudfront.net`,
    Enabled: true,
    Comment: '',
    PriceClass: 'PriceClass_All',
    HttpVersion: 'http2',
    IsIPV6Enabled: true,
    Staging: false,
    ...fields,
  } as DistributionSummary;
}

function distributionConfig(logging: LoggingConfig): DistributionConfig {
  return {
    CallerReference: 'terraform-20230101',
    Comment: '',
    Enabled: true,
    Logging: logging,
  } as DistributionConfig;
}

function cloudFrontSetUp(configs: Record<string, LoggingConfig>) {
  const cloudFront = regional((region) => new CloudFrontClient({ region }), ['us-east-1']);
  const logs = regional((region) => new CloudWatchLogsClient({ region }), ['us-east-1']);
  cloudFront
    .mock('us-east-1')
    .on(GetDistributionConfigCommand)
    .callsFake((input: GetDistributionConfigCommandInput) => {
      const logging = configs[input.Id ?? ''];
      if (!logging) throw new Error(`GetDistributionConfig for ${input.Id}`);
      return { DistributionConfig: distributionConfig(logging), ETag: 'E2QWRUHAPOMQZL' };
    });
  logs.mock('us-east-1').on(DescribeDeliverySourcesCommand).resolves({ deliverySources: [] });
  return {
    cloudFront,
    logs,
    scope: accountScope(['eu-west-1'], { cloudFront: cloudFront.factory, cloudWatchLogs: logs.factory }),
  };
}

describe('cloudFrontInventory', () => {
  it('finds the standard log folders from us-east-1, whatever the regions, and the distributions without', async () => {
    const { cloudFront, logs, scope } = cloudFrontSetUp({
      E1SHOP: {
        Enabled: true,
        IncludeCookies: false,
        Bucket: 'acme-cf-logs.s3.amazonaws.com',
        Prefix: 'cf/shop-',
      },
      E2API: {
        Enabled: true,
        IncludeCookies: true,
        Bucket: 'acme-cf-logs.s3.amazonaws.com',
        Prefix: 'cf/api-',
      },
      E3DOCS: { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' },
      E4V2: { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' },
    });
    cloudFront
      .mock('us-east-1')
      .on(ListDistributionsCommand)
      .resolvesOnce({
        DistributionList: {
          Marker: '',
          NextMarker: 'E2API',
          MaxItems: 2,
          IsTruncated: true,
          Quantity: 2,
          Items: [distribution('E1SHOP'), distribution('E2API')],
        },
      })
      .resolvesOnce({
        DistributionList: {
          Marker: 'E2API',
          MaxItems: 2,
          IsTruncated: false,
          Quantity: 3,
          Items: [distribution('E3DOCS'), distribution('E4V2'), distribution('E5OFF', { Enabled: false })],
        },
      });
    logs
      .mock('us-east-1')
      .on(DescribeDeliverySourcesCommand)
      .resolves({
        deliverySources: [
          {
            name: 'cf-e4v2',
            arn: `arn:aws:logs:us-east-1:${ACCOUNT}:delivery-source:cf-e4v2`,
            resourceArns: [distributionArn('E4V2')],
            service: 'cloudfront',
            logType: 'ACCESS_LOGS',
          },
        ],
      });

    const found = await run(cloudFrontInventory, scope);

    expect(cloudFront.mock('us-east-1')).toHaveReceivedNthCommandWith(ListDistributionsCommand, 2, {
      Marker: 'E2API',
    });
    expect(cloudFront.mock('us-east-1')).not.toHaveReceivedCommandWith(GetDistributionConfigCommand, {
      Id: 'E5OFF',
    });
    expect(found.sources).toEqual([
      {
        source: 'cloudfront',
        location: 's3://acme-cf-logs/cf/',
        accounts: [ACCOUNT],
        details: { distributions: 'E1SHOP, E2API', prefixes: 'cf/api-, cf/shop-', includeCookies: true },
      },
    ]);
    expect(found.gaps).toEqual([
      {
        source: 'cloudfront',
        reason: '1 distribution without standard logs: E3DOCS (e3docs.cloudfront.net)',
      },
    ]);
    expect(found.notes).toEqual([
      'CloudFront distribution E4V2 sends standard logs v2 through CloudWatch Logs deliveries: those logs are not read as a table.',
    ]);
    expectDeclaredActions(cloudFrontInventory, ['cloudfront', cloudFront.calls()], ['logs', logs.calls()]);
  });
});

const webAclArn = (region: string, scope: 'regional' | 'global', name: string) =>
  `arn:aws:wafv2:${region}:${ACCOUNT}:${scope}/webacl/${name}/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111`;

function webAcl(region: string, scope: 'regional' | 'global', name: string) {
  return {
    Name: name,
    Id: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    Description: '',
    LockToken: '6b5c3d1e-0000-4f5a-9b8c-EXAMPLE22222',
    ARN: webAclArn(region, scope, name),
  };
}

function loggingConfiguration(
  arn: string,
  destinations: string[],
  fields: Partial<LoggingConfiguration> = {},
) {
  return {
    LoggingConfiguration: {
      ResourceArn: arn,
      LogDestinationConfigs: destinations,
      ManagedByFirewallManager: false,
      LogType: 'WAF_LOGS' as const,
      LogScope: 'CUSTOMER' as const,
      ...fields,
    },
  };
}

describe('wafInventory', () => {
  it('reads regional web ACLs per region and CloudFront ones in us-east-1, and tells destinations apart', async () => {
    const waf = regional((region) => new WAFV2Client({ region }), ['us-east-1', 'eu-west-1']);
    const scope = accountScope(['eu-west-1'], { wafv2: waf.factory });
    waf
      .mock('eu-west-1')
      .on(ListWebACLsCommand, { Scope: 'REGIONAL' })
      .resolvesOnce({ NextMarker: 'shop-prod', WebACLs: [webAcl('eu-west-1', 'regional', 'shop-prod')] })
      .resolvesOnce({ NextMarker: 'api-prod', WebACLs: [webAcl('eu-west-1', 'regional', 'api-prod')] })
      .resolvesOnce({ WebACLs: [] });
    waf
      .mock('us-east-1')
      .on(ListWebACLsCommand, { Scope: 'CLOUDFRONT' })
      .resolves({ WebACLs: [webAcl('us-east-1', 'global', 'edge'), webAcl('us-east-1', 'global', 'quiet')] });
    const configurations: Record<string, ReturnType<typeof loggingConfiguration> | Error> = {
      [webAclArn('eu-west-1', 'regional', 'shop-prod')]: loggingConfiguration(
        webAclArn('eu-west-1', 'regional', 'shop-prod'),
        ['arn:aws:s3:::aws-waf-logs-acme'],
      ),
      [webAclArn('eu-west-1', 'regional', 'api-prod')]: loggingConfiguration(
        webAclArn('eu-west-1', 'regional', 'api-prod'),
        [`arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:aws-waf-logs-api`],
        { LoggingFilter: { DefaultBehavior: 'DROP', Filters: [] } },
      ),
      [webAclArn('us-east-1', 'global', 'edge')]: loggingConfiguration(
        webAclArn('us-east-1', 'global', 'edge'),
        [
          'arn:aws:s3:::aws-waf-logs-acme',
          `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/aws-waf-logs-siem`,
        ],
      ),
      [webAclArn('us-east-1', 'global', 'quiet')]: new WAFNonexistentItemException({
        message: "AWS WAF couldn't perform the operation because your resource doesn't exist.",
        $metadata: { httpStatusCode: 400 },
      }),
    };
    for (const region of ['us-east-1', 'eu-west-1']) {
      waf
        .mock(region)
        .on(GetLoggingConfigurationCommand)
        .callsFake((input: GetLoggingConfigurationCommandInput) => {
          const answer = configurations[input.ResourceArn ?? ''];
          if (!answer || !input.ResourceArn?.includes(`:${region}:`))
            throw new Error(`${input.ResourceArn} in ${region}`);
          if (answer instanceof Error) throw answer;
          return answer;
        });
    }

    const found = await run(wafInventory, scope);

    expect(waf.mock('eu-west-1')).toHaveReceivedNthCommandWith(ListWebACLsCommand, 2, {
      Scope: 'REGIONAL',
      NextMarker: 'shop-prod',
    });
    expect(found.sources).toEqual([
      {
        source: 'waf',
        location: 's3://aws-waf-logs-acme/',
        accounts: [ACCOUNT],
        regions: ['cloudfront', 'eu-west-1'],
        resourceFolders: ['edge', 'shop-prod'],
        details: { webAcls: 'shop-prod (eu-west-1), edge (cloudfront)' },
      },
    ]);
    expect(found.logGroups).toEqual([
      {
        logGroup: 'aws-waf-logs-api',
        region: 'eu-west-1',
        source: 'waf',
        writer: 'web ACL api-prod (eu-west-1)',
      },
    ]);
    expect(found.gaps).toEqual([
      {
        source: 'waf',
        region: 'eu-west-1',
        reason: 'web ACL api-prod (eu-west-1) logs only the requests its logging filter keeps',
      },
      { source: 'waf', region: 'cloudfront', reason: 'web ACL quiet (cloudfront) has no logging' },
    ]);
    expect(found.notes).toEqual([
      `The web ACL edge (cloudfront) logs to arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/aws-waf-logs-siem: ` +
        'where that stream puts the records is not inventoried.',
    ]);
    expectDeclaredActions(wafInventory, ['wafv2', waf.calls()]);
  });

  it('notes a denied listing and goes on with the other scope', async () => {
    const waf = regional((region) => new WAFV2Client({ region }), ['us-east-1']);
    const scope = accountScope(['us-east-1'], { wafv2: waf.factory });
    waf
      .mock('us-east-1')
      .on(ListWebACLsCommand, { Scope: 'REGIONAL' })
      .rejects(serviceError(WAFV2ServiceException, 'AccessDeniedException', 'User is not authorized', 400));
    waf.mock('us-east-1').on(ListWebACLsCommand, { Scope: 'CLOUDFRONT' }).resolves({ WebACLs: [] });

    const found = await run(wafInventory, scope);

    expect(found.notes).toEqual([
      expect.stringMatching(
        /^WAFv2 ListWebACLs \(REGIONAL\) in us-east-1 was denied \(AccessDeniedException/,
      ),
    ]);
    expect(found.sources).toEqual([]);
  });
});
