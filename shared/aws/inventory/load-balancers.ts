import {
  DescribeLoadBalancerAttributesCommand,
  type LoadBalancer,
  paginateDescribeLoadBalancers,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AccountScope } from './account-scope.js';
import { allPages, attempt, errorName } from './api-failures.js';
import { folderPrefix, s3Uri } from './arns.js';
import { counted, type InventoryService, inParallel, listed, mapConcurrently } from './findings.js';

const CONCURRENCY = 5;

interface AccessLogs {
  balancer: LoadBalancer & { LoadBalancerName: string };
  region: string;
  /** Null: access logs are off. */
  uri: string | null;
}

/**
 * Access logs of Application and Network Load Balancers (ELBv2 DescribeLoadBalancers and the
 * `access_logs.s3.*` attributes): each bucket and prefix becomes an `alb` location, the source id
 * both write under (`AWSLogs/<account>/elasticloadbalancing/<region>/`). Application Load Balancers
 * without access logs are a coverage gap; Gateway Load Balancers have no access logs.
 */
export const loadBalancersInventory: InventoryService = {
  id: 'load-balancers',
  iamActions: [
    'elasticloadbalancing:DescribeLoadBalancers',
    'elasticloadbalancing:DescribeLoadBalancerAttributes',
  ],
  async run(scope, found) {
    const account = await scope.accountId(found.notes);
    const byRegion = new Map<string, AccessLogs[]>();
    await inParallel(scope.regions, found, async (region, regional) => {
      const client = scope.client('elasticLoadBalancing', region);
      const balancers = await attempt(regional.notes, `ELBv2 DescribeLoadBalancers in ${region}`, () =>
        allPages(paginateDescribeLoadBalancers({ client }, {}), (page) => page.LoadBalancers),
      );
      const logging = (balancers ?? []).filter(
        (b): b is AccessLogs['balancer'] =>
          b.LoadBalancerName !== undefined && (b.Type === 'application' || b.Type === 'network'),
      );
      const facts = await mapConcurrently(logging, CONCURRENCY, (balancer) =>
        accessLogs(scope, balancer, region, regional.notes),
      );
      const known = facts.filter((f): f is AccessLogs => f !== undefined);
      byRegion.set(region, known);
      const silent = known.filter((f) => f.uri === null && f.balancer.Type === 'application');
      if (silent.length > 0) {
        const names = silent.map((f) => f.balancer.LoadBalancerName);
        regional.gaps.push({
          source: 'alb',
          region,
          reason: `${counted(names.length, 'Application Load Balancer')} in ${region} without access logs: ${listed(names)}`,
        });
      }
    });
    const locations = new Map<string, AccessLogs[]>();
    for (const region of scope.regions) {
      for (const fact of byRegion.get(region) ?? []) {
        if (fact.uri === null) continue;
        locations.set(fact.uri, [...(locations.get(fact.uri) ?? []), fact]);
      }
    }
    for (const [uri, facts] of locations) {
      const names = (type: string) =>
        facts.filter((f) => f.balancer.Type === type).map((f) => f.balancer.LoadBalancerName);
      const network = names('network');
      found.sources.push({
        source: 'alb',
        location: uri,
        ...(account ? { accounts: [account] } : {}),
        regions: [...new Set(facts.map((f) => f.region))].sort(),
        details: {
          applicationLoadBalancers: listed(names('application')),
          ...(network.length > 0 ? { networkLoadBalancers: listed(network) } : {}),
        },
      });
      if (network.length > 0) {
        const which =
          network.length === 1
            ? `Network Load Balancer ${network[0]} writes`
            : `Network Load Balancers ${listed(network)} write`;
        found.notes.push(
          `${which} TLS access logs to ${uri}: they share the elasticloadbalancing folders, and the alb table ` +
            'reads only Application Load Balancer lines.',
        );
      }
    }
  },
};

async function accessLogs(
  scope: AccountScope,
  balancer: AccessLogs['balancer'],
  region: string,
  notes: string[],
): Promise<AccessLogs | undefined> {
  const what = `ELBv2 DescribeLoadBalancerAttributes for ${balancer.LoadBalancerName} in ${region}`;
  try {
    const answer = await attempt(notes, what, () =>
      scope
        .client('elasticLoadBalancing', region)
        .send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: balancer.LoadBalancerArn })),
    );
    if (!answer) return undefined;
    const attribute = (key: string) => answer.Attributes?.find((a) => a.Key === key)?.Value;
    const bucket = attribute('access_logs.s3.bucket');
    const enabled = attribute('access_logs.s3.enabled') === 'true' && bucket !== undefined && bucket !== '';
    const uri = enabled ? s3Uri({ bucket, prefix: folderPrefix(attribute('access_logs.s3.prefix')) }) : null;
    return { balancer, region, uri };
  } catch (error) {
    // Deleted since it was listed.
    if (errorName(error) === 'LoadBalancerNotFoundException') return undefined;
    throw error;
  }
}
