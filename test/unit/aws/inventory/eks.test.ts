import {
  type Cluster,
  DescribeClusterCommand,
  type DescribeClusterCommandInput,
  EKSClient,
  EKSServiceException,
  ListClustersCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { eksInventory } from '../../../../shared/aws/inventory/eks.js';
import {
  ACCOUNT,
  accountScope,
  deniedMessage,
  expectDeclaredActions,
  regional,
  run,
  serviceError,
} from '../../../support/aws-inventory-kit.js';

/** A cluster as DescribeCluster returns it (EKS API reference), the parts read. */
function cluster(name: string, logging: Cluster['logging']): Cluster {
  return {
    name,
    arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/${name}`,
    createdAt: new Date('2023-04-01T00:00:00Z'),
    version: '1.29',
    status: 'ACTIVE',
    logging,
  };
}

describe('eksInventory', () => {
  it('makes the group of a cluster logging audit an export candidate and a cluster without a gap', async () => {
    const eks = regional((region) => new EKSClient({ region }), ['us-east-1']);
    eks
      .mock('us-east-1')
      .on(ListClustersCommand)
      .resolvesOnce({ clusters: ['prod'], nextToken: 'page-2' })
      .resolvesOnce({ clusters: ['staging', 'deleted'] });
    const clusters: Record<string, Cluster | Error> = {
      prod: cluster('prod', {
        clusterLogging: [
          { types: ['api', 'audit', 'authenticator'], enabled: true },
          { types: ['controllerManager', 'scheduler'], enabled: false },
        ],
      }),
      staging: cluster('staging', {
        clusterLogging: [
          { types: ['api'], enabled: true },
          { types: ['audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false },
        ],
      }),
      deleted: new ResourceNotFoundException({
        message: 'No cluster found for name: deleted.',
        $metadata: { httpStatusCode: 404 },
      }),
    };
    eks
      .mock('us-east-1')
      .on(DescribeClusterCommand)
      .callsFake((input: DescribeClusterCommandInput) => {
        const answer = clusters[input.name ?? ''];
        if (!answer || answer instanceof Error) throw answer;
        return { cluster: answer };
      });

    const found = await run(eksInventory, accountScope(['us-east-1'], { eks: eks.factory }));

    expect(eks.mock('us-east-1')).toHaveReceivedNthCommandWith(ListClustersCommand, 2, {
      nextToken: 'page-2',
    });
    expect(found.logGroups).toEqual([
      {
        logGroup: '/aws/eks/prod/cluster',
        region: 'us-east-1',
        source: 'eksaudit',
        writer: 'EKS cluster prod',
      },
    ]);
    expect(found.gaps).toEqual([
      {
        source: 'eksaudit',
        region: 'us-east-1',
        reason: 'EKS cluster staging in us-east-1 has audit logging off',
      },
    ]);
    expect(found.notes).toEqual([]);
    expectDeclaredActions(eksInventory, ['eks', eks.calls()]);
  });

  it('notes a denied listing and a region without EKS', async () => {
    const eks = regional((region) => new EKSClient({ region }), ['us-east-1', 'ap-southeast-7']);
    eks
      .mock('us-east-1')
      .on(ListClustersCommand)
      .rejects(
        serviceError(EKSServiceException, 'AccessDeniedException', deniedMessage('eks:ListClusters'), 403),
      );
    eks
      .mock('ap-southeast-7')
      .on(ListClustersCommand)
      .rejects(
        Object.assign(new Error('getaddrinfo ENOTFOUND eks.ap-southeast-7.amazonaws.com'), {
          code: 'ENOTFOUND',
        }),
      );

    const found = await run(
      eksInventory,
      accountScope(['us-east-1', 'ap-southeast-7'], { eks: eks.factory }),
    );

    expect(found.notes).toEqual([
      expect.stringMatching(/^EKS ListClusters in us-east-1 was denied/),
      expect.stringMatching(
        /^EKS ListClusters in ap-southeast-7 is not offered or not enabled there \(Error: getaddrinfo ENOTFOUND/,
      ),
    ]);
  });
});
