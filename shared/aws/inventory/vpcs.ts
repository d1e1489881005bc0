import { paginateDescribeVpcs, type Vpc } from '@aws-sdk/client-ec2';
import type { AccountScope } from './account-scope.js';
import { allPages, attempt } from './api-failures.js';

/**
 * The VPCs of a region, asked once for every service that checks what covers them (flow logs,
 * Resolver query logging); undefined when EC2 would not say.
 */
export function regionVpcs(scope: AccountScope, region: string, notes: string[]): Promise<Vpc[] | undefined> {
  return scope.once(`vpcs/${region}`, () =>
    attempt(notes, `EC2 DescribeVpcs in ${region}`, () =>
      allPages(paginateDescribeVpcs({ client: scope.client('ec2', region) }, {}), (page) => page.Vpcs),
    ),
  );
}

/** `vpc-0abc (prod)`, `vpc-0def (default)`: the id a responder searches for, and what it is. */
export function vpcLabel(vpc: Vpc): string {
  const name = vpc.Tags?.find((tag) => tag.Key === 'Name')?.Value;
  const what = name ? name : vpc.IsDefault ? 'default' : undefined;
  return what ? `${vpc.VpcId} (${what})` : `${vpc.VpcId}`;
}
