import { DescribeClusterCommand, paginateListClusters } from '@aws-sdk/client-eks';
import { allPages, attempt, errorName } from './api-failures.js';
import { type InventoryService, inParallel } from './findings.js';

/**
 * EKS control-plane audit logging (ListClusters, DescribeCluster `logging.clusterLogging`): a
 * cluster logging `audit` makes its group `/aws/eks/<name>/cluster` an export candidate; one that
 * does not is a coverage gap of `eksaudit`.
 */
export const eksInventory: InventoryService = {
  id: 'eks',
  iamActions: ['eks:ListClusters', 'eks:DescribeCluster'],
  async run(scope, found) {
    await inParallel(scope.regions, found, async (region, part) => {
      const client = scope.client('eks', region);
      const names = await attempt(part.notes, `EKS ListClusters in ${region}`, () =>
        allPages(paginateListClusters({ client }, {}), (page) => page.clusters),
      );
      for (const name of names ?? []) {
        const what = `EKS DescribeCluster for ${name} in ${region}`;
        const cluster = await attempt(part.notes, what, async () => {
          const answer = await client.send(new DescribeClusterCommand({ name }));
          return answer.cluster;
        }).catch((error: unknown) => {
          // Deleted since it was listed.
          if (errorName(error) === 'ResourceNotFoundException') return undefined;
          throw error;
        });
        if (!cluster) continue;
        const audit = (cluster.logging?.clusterLogging ?? []).some(
          (setup) => setup.enabled === true && setup.types?.includes('audit'),
        );
        if (audit) {
          part.logGroups.push({
            logGroup: `/aws/eks/${name}/cluster`,
            region,
            source: 'eksaudit',
            writer: `EKS cluster ${name}`,
          });
        } else {
          part.gaps.push({
            source: 'eksaudit',
            region,
            reason: `EKS cluster ${name} in ${region} has audit logging off`,
          });
        }
      }
    });
  },
};
