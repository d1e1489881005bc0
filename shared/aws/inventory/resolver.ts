import {
  paginateListResolverQueryLogConfigAssociations,
  paginateListResolverQueryLogConfigs,
  type ResolverQueryLogConfig,
  type ResolverQueryLogConfigAssociation,
} from '@aws-sdk/client-route53resolver';
import { allPages, attempt } from './api-failures.js';
import { logGroupOfArn, s3FolderOfArn, s3Uri } from './arns.js';
import { type Findings, type InventoryService, inParallel, listed } from './findings.js';
import { regionVpcs, vpcLabel } from './vpcs.js';

/** One S3 folder Resolver query logging of this account delivers to. */
interface S3Delivery {
  uri: string;
  regions: Set<string>;
  vpcs: Set<string>;
  configs: string[];
}

/** Associations that log, or are about to: the others are noted. */
const LOGGING = new Set(['ACTIVE', 'CREATING']);

/**
 * Route 53 Resolver query logging: configurations delivering to S3 become `route53resolver`
 * locations with the VPC folders they write; those delivering to CloudWatch Logs become export
 * candidates. A VPC associated with no configuration is a coverage gap of its region.
 */
export const resolverInventory: InventoryService = {
  id: 'resolver-query-logs',
  iamActions: [
    'route53resolver:ListResolverQueryLogConfigs',
    'route53resolver:ListResolverQueryLogConfigAssociations',
    'ec2:DescribeVpcs',
  ],
  async run(scope, found) {
    const account = await scope.accountId(found.notes);
    const s3ByRegion = new Map<string, { config: ResolverQueryLogConfig; vpcs: string[] }[]>();
    await inParallel(scope.regions, found, async (region, regional) => {
      const client = scope.client('route53Resolver', region);
      const configs = await attempt(
        regional.notes,
        `Route 53 Resolver ListResolverQueryLogConfigs in ${region}`,
        () =>
          allPages(
            paginateListResolverQueryLogConfigs({ client }, {}),
            (page) => page.ResolverQueryLogConfigs,
          ),
      );
      if (!configs) return;
      const associations =
        configs.length === 0
          ? []
          : await attempt(
              regional.notes,
              `Route 53 Resolver ListResolverQueryLogConfigAssociations in ${region}`,
              () =>
                allPages(
                  paginateListResolverQueryLogConfigAssociations({ client }, {}),
                  (page) => page.ResolverQueryLogConfigAssociations,
                ),
            );
      if (!associations) return;
      s3ByRegion.set(region, describeConfigs(configs, associations, region, regional));
      const vpcs = await regionVpcs(scope, region, regional.notes);
      const logged = new Set(
        associations.filter((a) => LOGGING.has(a.Status ?? '')).map((a) => a.ResourceId),
      );
      const unlogged = (vpcs ?? []).filter((vpc) => vpc.VpcId && !logged.has(vpc.VpcId)).map(vpcLabel);
      if (unlogged.length > 0) {
        regional.gaps.push({
          source: 'route53resolver',
          region,
          reason:
            unlogged.length === 1
              ? `${unlogged[0]} in ${region} has no Resolver query logging`
              : `${unlogged.length} VPCs in ${region} have no Resolver query logging: ${listed(unlogged)}`,
        });
      }
    });
    const deliveries = new Map<string, S3Delivery>();
    for (const region of scope.regions) {
      for (const { config, vpcs } of s3ByRegion.get(region) ?? []) {
        const folder = s3FolderOfArn(config.DestinationArn ?? '');
        if (!folder) continue;
        const uri = s3Uri(folder);
        const delivery = deliveries.get(uri) ?? { uri, regions: new Set(), vpcs: new Set(), configs: [] };
        deliveries.set(uri, delivery);
        delivery.regions.add(region);
        for (const vpc of vpcs) delivery.vpcs.add(vpc);
        delivery.configs.push(config.Name ?? config.Id ?? '?');
      }
    }
    for (const delivery of deliveries.values()) {
      found.sources.push({
        source: 'route53resolver',
        location: delivery.uri,
        ...(account ? { accounts: [account] } : {}),
        regions: [...delivery.regions].sort(),
        resourceFolders: [...delivery.vpcs].sort(),
        details: { queryLogConfigs: listed(delivery.configs) },
      });
    }
  },
};

/**
 * Notes and export candidates for the configurations of a region; the S3 ones that log for at least
 * one VPC are returned with those VPCs.
 */
function describeConfigs(
  configs: ResolverQueryLogConfig[],
  associations: ResolverQueryLogConfigAssociation[],
  region: string,
  found: Findings,
): { config: ResolverQueryLogConfig; vpcs: string[] }[] {
  const toS3: { config: ResolverQueryLogConfig; vpcs: string[] }[] = [];
  for (const config of configs) {
    const name = `Resolver query logging configuration ${config.Name ?? config.Id} (${config.Id})`;
    const mine = associations.filter((a) => a.ResolverQueryLogConfigId === config.Id);
    for (const broken of mine.filter((a) => a.Status === 'FAILED' || a.Status === 'ACTION_NEEDED')) {
      found.notes.push(
        `The ${name} in ${region} does not log ${broken.ResourceId}: ${broken.Status}` +
          `${broken.ErrorMessage ? ` (${broken.ErrorMessage})` : ''}.`,
      );
    }
    const vpcs = mine
      .filter((a) => LOGGING.has(a.Status ?? ''))
      .flatMap((a) => (a.ResourceId ? [a.ResourceId] : []));
    if (config.Status === 'FAILED') {
      found.notes.push(`The ${name} in ${region} is FAILED: it delivers no query logs.`);
      continue;
    }
    if (vpcs.length === 0) continue;
    const destination = config.DestinationArn ?? '';
    const service = destination.split(':')[2];
    if (service === 's3') {
      toS3.push({ config, vpcs });
    } else if (service === 'logs') {
      const group = logGroupOfArn(destination);
      if (group) {
        found.logGroups.push({
          logGroup: group.name,
          region: group.region,
          source: 'route53resolver',
          writer: `the ${name}`,
        });
      }
    } else {
      found.notes.push(
        `The ${name} in ${region} delivers to ${destination}: where that stream puts the query logs is not inventoried.`,
      );
    }
  }
  return toS3;
}
