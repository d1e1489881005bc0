import { HOUR, hourOfDay, MINUTE } from './clock.js';
import { type ApiCall, s3Request } from './cloudtrail-record.js';
import { type Estate, US_EAST_1 } from './estate.js';
import {
  iamRole,
  onBehalfOf,
  roleActor,
  roleSession,
  serviceAssumesRole,
  serviceLinkedRole,
} from './principals.js';
import type { Scene } from './scene.js';
import { itemAt } from './seeded-random.js';

// What AWS services do in the accounts on their own, through their service roles.

/** Lambda assumes each function's role when it starts a new execution environment. */
export function lambdaColdStarts(scene: Scene, estate: Estate): void {
  for (const stack of estate.stacks) {
    for (const fn of stack.functions) {
      const rng = scene.rng.fork(`lambda/${estate.account.id}/${fn}`);
      const role = iamRole(estate.account, `${fn}-role`);
      for (let t = scene.from + rng.seconds(0, 3600); t < scene.to; ) {
        const session = roleSession(rng, role, fn, t);
        scene.timeline.emit(
          serviceAssumesRole(rng, session, estate.appRegion, 'lambda.amazonaws.com', 12 * HOUR),
        );
        const hour = hourOfDay(t);
        t += rng.wait(hour >= 7 && hour < 19 ? 50 * MINUTE : 150 * MINUTE);
      }
    }
  }
}

/** AWS Config describes the configuration of every recorded resource type every couple of hours. */
export function configRecorder(scene: Scene, estate: Estate): void {
  const role = serviceLinkedRole(estate.account, 'config.amazonaws.com', 'AWSServiceRoleForConfig');
  for (const region of estate.regions) {
    const rng = scene.rng.fork(`config/${estate.account.id}/${region}`);
    const reads = configReads(estate, region);
    for (let t = scene.from + rng.seconds(0, 7200); t < scene.to; t += 2 * HOUR + rng.seconds(-1200, 1200)) {
      const session = roleSession(rng, role, 'AWSConfig-Describe', t);
      scene.timeline.emit(serviceAssumesRole(rng, session, region, 'config.amazonaws.com', HOUR));
      const config = onBehalfOf(roleActor(session, '', ''), 'config.amazonaws.com');
      let at = t + rng.seconds(1, 4);
      for (const read of reads) {
        if (!rng.chance(0.75)) continue;
        scene.timeline.emit({ ...read, at, account: estate.account, actor: config });
        at += rng.seconds(1, 9);
      }
    }
  }
}

type Read = Pick<ApiCall, 'region' | 'service' | 'name' | 'request' | 'error' | 'host'>;

function configReads(estate: Estate, region: string): Read[] {
  const ec2: Read[] = [
    { region, service: 'ec2', name: 'DescribeInstances', request: { instancesSet: {}, filterSet: {} } },
    {
      region,
      service: 'ec2',
      name: 'DescribeSecurityGroups',
      request: { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} },
    },
    { region, service: 'ec2', name: 'DescribeVolumes', request: { volumeSet: {}, filterSet: {} } },
    { region, service: 'ec2', name: 'DescribeVpcs', request: { vpcSet: {}, filterSet: {} } },
    { region, service: 'ec2', name: 'DescribeSubnets', request: { subnetSet: {}, filterSet: {} } },
    { region, service: 'ec2', name: 'DescribeNetworkAcls', request: { networkAclIdSet: {}, filterSet: {} } },
    { region, service: 'ec2', name: 'DescribeRouteTables', request: { routeTableIdSet: {}, filterSet: {} } },
  ];
  if (region !== US_EAST_1) return ec2;
  const [artifacts, withPolicy] = [estate.artifactsBucket, itemAt(estate.buckets, 1)];
  return [
    ...ec2,
    { region, service: 'iam', name: 'ListRoles', request: { maxItems: 100 } },
    { region, service: 'iam', name: 'ListUsers', request: { maxItems: 100 } },
    { region, service: 'iam', name: 'ListPolicies', request: { scope: 'Local', onlyAttached: false } },
    { region, service: 's3', name: 'GetBucketAcl', request: s3Request(artifacts, region, { acl: '' }) },
    {
      region,
      service: 's3',
      name: 'GetBucketVersioning',
      request: s3Request(artifacts, region, { versioning: '' }),
    },
    {
      region,
      service: 's3',
      name: 'GetBucketPolicy',
      request: s3Request(artifacts, region, { policy: '' }),
      error: { code: 'NoSuchBucketPolicy', message: 'The bucket policy does not exist' },
    },
    {
      region,
      service: 's3',
      name: 'GetBucketPolicy',
      request: s3Request(withPolicy, region, { policy: '' }),
    },
  ];
}

/** Trusted Advisor refreshes its checks a few times a day through its service-linked role. */
export function trustedAdvisor(scene: Scene, estate: Estate): void {
  const rng = scene.rng.fork(`trusted-advisor/${estate.account.id}`);
  const role = serviceLinkedRole(
    estate.account,
    'trustedadvisor.amazonaws.com',
    'AWSServiceRoleForTrustedAdvisor',
  );
  for (
    let t = scene.from + rng.seconds(0, 6 * 3600);
    t < scene.to;
    t += 6 * HOUR + rng.seconds(-3600, 3600)
  ) {
    const name = `TrustedAdvisor_${estate.account.id}_${rng.uuid()}`;
    const session = roleSession(rng, role, name, t);
    scene.timeline.emit(serviceAssumesRole(rng, session, US_EAST_1, 'trustedadvisor.amazonaws.com', HOUR));
    const advisor = onBehalfOf(roleActor(session, '', ''), 'trustedadvisor.amazonaws.com');
    const reads: Read[] = [
      { region: US_EAST_1, service: 'iam', name: 'GetAccountSummary' },
      { region: US_EAST_1, service: 'iam', name: 'GetAccountPasswordPolicy' },
      {
        region: US_EAST_1,
        service: 'cloudtrail',
        name: 'DescribeTrails',
        request: { includeShadowTrails: true },
      },
      { region: US_EAST_1, service: 's3', name: 'ListBuckets', request: { Host: 's3.amazonaws.com' } },
      ...estate.regions.flatMap((region): Read[] => [
        {
          region,
          service: 'ec2',
          name: 'DescribeSecurityGroups',
          request: { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} },
        },
        { region, service: 'ec2', name: 'DescribeAddresses', request: { publicIpsSet: {}, filterSet: {} } },
        { region, service: 'ec2', name: 'DescribeVolumes', request: { volumeSet: {}, filterSet: {} } },
      ]),
    ];
    let at = t + rng.seconds(1, 3);
    for (const read of reads) {
      scene.timeline.emit({ ...read, at, account: estate.account, actor: advisor });
      at += rng.seconds(0, 4);
    }
  }
}
