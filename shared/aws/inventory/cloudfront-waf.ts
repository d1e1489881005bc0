import {
  type DistributionSummary,
  GetDistributionConfigCommand,
  type LoggingConfig,
  paginateListDistributions,
} from '@aws-sdk/client-cloudfront';
import {
  GetLoggingConfigurationCommand,
  ListWebACLsCommand,
  type LoggingConfiguration,
  type Scope,
  type WebACLSummary,
} from '@aws-sdk/client-wafv2';
import type { SourceLocation } from '../../domain/inventory.js';
import { type AccountScope, GLOBAL_SERVICES_REGION } from './account-scope.js';
import { allPages, attempt, errorName } from './api-failures.js';
import { enclosingFolder, logGroupOfArn, s3FolderOfArn, s3Uri } from './arns.js';
import {
  counted,
  type Findings,
  type InventoryService,
  inParallel,
  listed,
  mapConcurrently,
} from './findings.js';
import { regionDeliverySources } from './log-deliveries.js';

const CONCURRENCY = 5;

type Distribution = DistributionSummary & { Id: string };

/**
 * CloudFront standard logs (ListDistributions, GetDistributionConfig `Logging`): each bucket and
 * folder becomes a `cloudfront` location. An enabled distribution logging neither there nor through
 * a CloudWatch Logs delivery (standard logs v2) is a coverage gap.
 */
export const cloudFrontInventory: InventoryService = {
  id: 'cloudfront',
  iamActions: [
    'cloudfront:ListDistributions',
    'cloudfront:GetDistributionConfig',
    'logs:DescribeDeliverySources',
  ],
  async run(scope, found) {
    const client = scope.client('cloudFront', GLOBAL_SERVICES_REGION);
    const distributions = await attempt(found.notes, 'CloudFront ListDistributions', () =>
      allPages(paginateListDistributions({ client }, {}), (page) => page.DistributionList?.Items),
    );
    const enabled = (distributions ?? []).filter(
      (d): d is Distribution => d.Id !== undefined && d.Enabled !== false,
    );
    if (enabled.length === 0) return;
    const account = await scope.accountId(found.notes);
    const logging = await mapConcurrently(enabled, CONCURRENCY, (distribution) =>
      attempt(found.notes, `CloudFront GetDistributionConfig for ${distribution.Id}`, async () => {
        const answer = await client.send(new GetDistributionConfigCommand({ Id: distribution.Id }));
        return answer.DistributionConfig?.Logging ?? null;
      }),
    );
    const folders = new Map<
      string,
      { distributions: Distribution[]; prefixes: Set<string>; cookies: boolean }
    >();
    const silent: Distribution[] = [];
    enabled.forEach((distribution, i) => {
      const config = logging[i];
      if (config === undefined) return;
      const uri = config ? standardLogsUri(config) : null;
      if (!uri) {
        silent.push(distribution);
        return;
      }
      const folder = folders.get(uri) ?? { distributions: [], prefixes: new Set<string>(), cookies: false };
      folders.set(uri, folder);
      folder.distributions.push(distribution);
      folder.prefixes.add(config?.Prefix ?? '');
      folder.cookies ||= config?.IncludeCookies === true;
    });
    for (const [uri, folder] of folders) {
      found.sources.push({
        source: 'cloudfront',
        location: uri,
        ...(account ? { accounts: [account] } : {}),
        details: {
          distributions: listed(folder.distributions.map((d) => d.Id)),
          prefixes: listed([...folder.prefixes].sort()),
          includeCookies: folder.cookies,
        },
      });
    }
    const unlogged = await withoutDeliveries(scope, silent, found);
    if (unlogged.length > 0) {
      found.gaps.push({
        source: 'cloudfront',
        reason: `${counted(unlogged.length, 'distribution')} without standard logs: ${listed(
          unlogged.map((d) => `${d.Id} (${d.DomainName})`),
        )}`,
      });
    }
  },
};

/** `bucket.s3.amazonaws.com` and a file-name prefix → the folder the log files are written to. */
function standardLogsUri(config: LoggingConfig): string | null {
  if (!config.Enabled || !config.Bucket) return null;
  const bucket = config.Bucket.replace(/\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/, '');
  return s3Uri({ bucket, prefix: enclosingFolder(config.Prefix ?? '') });
}

/** Distributions that log through a CloudWatch Logs delivery source instead are noted, not gaps. */
async function withoutDeliveries(
  scope: AccountScope,
  distributions: Distribution[],
  found: Findings,
): Promise<Distribution[]> {
  if (distributions.length === 0) return [];
  const sources = await regionDeliverySources(scope, GLOBAL_SERVICES_REGION, found.notes);
  const delivered = new Set(
    (sources ?? []).filter((s) => s.service === 'cloudfront').flatMap((s) => s.resourceArns ?? []),
  );
  const viaDeliveries = distributions.filter((d) => d.ARN && delivered.has(d.ARN));
  if (viaDeliveries.length > 0) {
    const ids = listed(viaDeliveries.map((d) => d.Id));
    found.notes.push(
      `${viaDeliveries.length === 1 ? `CloudFront distribution ${ids} sends` : `CloudFront distributions ${ids} send`} ` +
        'standard logs v2 through CloudWatch Logs deliveries: those logs are not read as a table.',
    );
  }
  return distributions.filter((d) => !viaDeliveries.includes(d));
}

/** Where web ACLs are listed, and the region folder their S3 logs are filed under. */
interface WafScope {
  scope: Scope;
  region: string;
  folderRegion: string;
}

/** One web ACL with the region its logs are filed under (`cloudfront` for CloudFront's). */
interface WebAcl {
  acl: WebACLSummary & { Name: string; ARN: string };
  folderRegion: string;
  logging: LoggingConfiguration | null;
}

/**
 * AWS WAF logging (WAFv2 ListWebACLs, regional in each region and CloudFront's in us-east-1, and
 * GetLoggingConfiguration): S3 buckets (`aws-waf-logs-*`) become `waf` locations with the web ACL
 * folders they hold, CloudWatch Logs groups become export candidates, Firehose streams are noted.
 * A web ACL without logging, or logging only what a filter keeps, is a coverage gap.
 */
export const wafInventory: InventoryService = {
  id: 'waf',
  iamActions: ['wafv2:ListWebACLs', 'wafv2:GetLoggingConfiguration'],
  async run(scope, found) {
    const account = await scope.accountId(found.notes);
    const targets: WafScope[] = [
      ...scope.regions.map((region) => ({ scope: 'REGIONAL' as const, region, folderRegion: region })),
      { scope: 'CLOUDFRONT', region: GLOBAL_SERVICES_REGION, folderRegion: 'cloudfront' },
    ];
    const byTarget = new Map<WafScope, WebAcl[]>();
    await inParallel(targets, found, async (target, part) => {
      byTarget.set(target, await webAcls(scope, target, part));
    });
    const acls = targets.flatMap((target) => byTarget.get(target) ?? []);
    const buckets = new Map<string, WebAcl[]>();
    for (const acl of acls) {
      const name = `web ACL ${acl.acl.Name} (${acl.folderRegion})`;
      if (!acl.logging) {
        found.gaps.push({ source: 'waf', region: acl.folderRegion, reason: `${name} has no logging` });
        continue;
      }
      if (acl.logging.LoggingFilter) {
        found.gaps.push({
          source: 'waf',
          region: acl.folderRegion,
          reason: `${name} logs only the requests its logging filter keeps`,
        });
      }
      for (const destination of acl.logging.LogDestinationConfigs ?? []) {
        const folder = s3FolderOfArn(destination);
        const group = logGroupOfArn(destination);
        if (folder) {
          const uri = s3Uri(folder);
          buckets.set(uri, [...(buckets.get(uri) ?? []), acl]);
        } else if (group) {
          found.logGroups.push({ logGroup: group.name, region: group.region, source: 'waf', writer: name });
        } else {
          found.notes.push(
            `The ${name} logs to ${destination}: where that stream puts the records is not inventoried.`,
          );
        }
      }
    }
    for (const [uri, logging] of buckets) found.sources.push(wafLocation(uri, logging, account));
  },
};

async function webAcls(scope: AccountScope, target: WafScope, found: Findings): Promise<WebAcl[]> {
  const client = scope.client('wafv2', target.region);
  const listedAcls = await attempt(
    found.notes,
    `WAFv2 ListWebACLs (${target.scope}) in ${target.region}`,
    async () => {
      const all: WebACLSummary[] = [];
      let marker: string | undefined;
      do {
        const page = await client.send(
          new ListWebACLsCommand({ Scope: target.scope, Limit: 100, NextMarker: marker }),
        );
        all.push(...(page.WebACLs ?? []));
        // WAF hands a marker back with the last page too; an empty page ends the listing.
        marker = page.WebACLs?.length ? page.NextMarker : undefined;
      } while (marker);
      return all;
    },
  );
  const named = (listedAcls ?? []).filter(
    (acl): acl is WebAcl['acl'] => acl.Name !== undefined && acl.ARN !== undefined,
  );
  const acls: WebAcl[] = [];
  for (const acl of named) {
    const what = `WAFv2 GetLoggingConfiguration for ${acl.Name} in ${target.region}`;
    try {
      const answer = await attempt(found.notes, what, () =>
        client.send(new GetLoggingConfigurationCommand({ ResourceArn: acl.ARN })),
      );
      if (answer)
        acls.push({ acl, folderRegion: target.folderRegion, logging: answer.LoggingConfiguration ?? null });
    } catch (error) {
      if (errorName(error) !== 'WAFNonexistentItemException') throw error;
      acls.push({ acl, folderRegion: target.folderRegion, logging: null });
    }
  }
  return acls;
}

/** `AWSLogs/<account>/WAFLogs/<region>/<web-acl-name>/...`: the web ACL names are the folders. */
function wafLocation(uri: string, acls: WebAcl[], account: string | undefined): SourceLocation {
  return {
    source: 'waf',
    location: uri,
    ...(account ? { accounts: [account] } : {}),
    regions: [...new Set(acls.map((a) => a.folderRegion))].sort(),
    resourceFolders: [...new Set(acls.map((a) => a.acl.Name))].sort(),
    details: { webAcls: listed(acls.map((a) => `${a.acl.Name} (${a.folderRegion})`)) },
  };
}
