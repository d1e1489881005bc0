import { DAY, HOUR, MINUTE } from './clock.js';
import type { JsonObject } from './cloudtrail-record.js';
import type { Estate } from './estate.js';
import {
  type Actor,
  type IamRole,
  onBehalfOf,
  type RoleSession,
  roleActor,
  roleSession,
  serviceAssumesRole,
  serviceLinkedRole,
} from './principals.js';
import { type Scene, workdays } from './scene.js';
import { readSecret } from './secrets-manager.js';
import { HEX, itemAt, type Rng, stableId } from './seeded-random.js';
import { agents } from './user-agents.js';

export interface Instance {
  id: string;
  estate: Estate;
  role: IamRole;
  runsApp: boolean;
  privateIp: string;
  az: string;
  launchedAt: number;
  terminatedAt: number;
}

/** The always-on instances, and each workday's extra capacity launched and retired by Auto Scaling. */
export function planFleet(scene: Scene, estate: Estate): Instance[] {
  const rng = scene.rng.fork(`fleet/${estate.account.id}`);
  const fleet: Instance[] = estate.baseInstances.map((base) => ({
    ...base,
    estate,
    launchedAt: scene.from - 9 * DAY,
    terminatedAt: scene.to + DAY,
  }));
  const autoscaling = serviceLinkedRole(
    estate.account,
    'autoscaling.amazonaws.com',
    'AWSServiceRoleForAutoScaling',
  );
  for (const day of workdays(scene)) {
    for (let n = 0; n < estate.scaledInstancesPerWorkday; n++) {
      const launchedAt = day + 7.8 * HOUR + rng.seconds(0, 600) + n * rng.seconds(2, 20);
      const subnet = n % 2 === 0 ? 'a' : 'b';
      const instance: Instance = {
        id: `i-0${rng.hex(16)}`,
        estate,
        role: estate.appRole,
        runsApp: true,
        privateIp: `10.20.${n % 2 === 0 ? 1 : 2}.${rng.int(10, 250)}`,
        az: `${estate.appRegion}${subnet}`,
        launchedAt,
        terminatedAt: day + 18.1 * HOUR + rng.seconds(0, 900),
      };
      fleet.push(instance);
      const session = roleSession(rng, autoscaling, 'AutoScaling', launchedAt - HOUR);
      const asg = onBehalfOf(roleActor(session, '', ''), 'autoscaling.amazonaws.com');
      scene.timeline.emit({
        at: launchedAt,
        account: estate.account,
        region: estate.appRegion,
        service: 'ec2',
        name: 'RunInstances',
        actor: asg,
        request: runInstancesRequest(rng, instance),
        response: runInstancesResponse(rng, instance),
      });
      scene.timeline.emit({
        at: instance.terminatedAt,
        account: estate.account,
        region: estate.appRegion,
        service: 'ec2',
        name: 'TerminateInstances',
        actor: asg,
        request: { instancesSet: { items: [{ instanceId: instance.id }] } },
        response: {
          requestId: rng.uuid(),
          instancesSet: {
            items: [
              {
                instanceId: instance.id,
                currentState: { code: 32, name: 'shutting-down' },
                previousState: { code: 16, name: 'running' },
              },
            ],
          },
        },
      });
    }
  }
  return fleet;
}

/**
 * What an instance does on its own: EC2 refreshes its role credentials about hourly, the SSM agent
 * checks in every five minutes, and the payments app reads its configuration hourly and its
 * database secret at boot and twice a day (KMS decrypts the secret for Secrets Manager).
 */
export function instanceActivity(scene: Scene, instance: Instance): void {
  const { estate } = instance;
  const rng = scene.rng.fork(`instance/${instance.id}`);
  const begin = Math.max(instance.launchedAt, scene.from - HOUR);
  const end = Math.min(instance.terminatedAt, scene.to);
  const sessions: RoleSession[] = [];
  for (let t = begin + rng.seconds(15, 40); t < end; t += HOUR + rng.seconds(-90, 90)) {
    const session = { ...roleSession(rng, instance.role, instance.id, t), ec2: true };
    sessions.push(session);
    scene.timeline.emit(serviceAssumesRole(rng, session, estate.appRegion, 'ec2.amazonaws.com', 6 * HOUR));
  }
  const actorAt = (at: number, userAgent: string): Actor => {
    const session = sessions.findLast((s) => s.createdAt <= at) ?? itemAt(sessions, 0);
    return roleActor(session, estate.natIp, userAgent);
  };
  if (sessions.length === 0) return;
  const firstSession = itemAt(sessions, 0).createdAt;

  for (let t = firstSession + rng.seconds(20, 60); t < end; t += 5 * MINUTE + rng.seconds(-6, 6)) {
    scene.timeline.emit({
      at: t,
      account: estate.account,
      region: estate.appRegion,
      service: 'ssm',
      name: 'UpdateInstanceInformation',
      actor: actorAt(t, agents.ssmAgent),
      request: {
        instanceId: instance.id,
        agentVersion: '3.3.131.0',
        agentStatus: 'Active',
        platformType: 'Linux',
        platformName: 'Amazon Linux',
        platformVersion: '2023',
        iPAddress: instance.privateIp,
        computerName: `ip-${instance.privateIp.replaceAll('.', '-')}.${estate.appRegion}.compute.internal`,
        agentName: 'amazon-ssm-agent',
        availabilityZone: instance.az,
        availabilityZoneId: `euw1-az${instance.az.endsWith('a') ? 1 : instance.az.endsWith('b') ? 2 : 3}`,
      },
    });
  }
  if (!instance.runsApp) return;

  for (let t = firstSession + rng.seconds(40, 90); t < end; t += HOUR + rng.seconds(-30, 30)) {
    scene.timeline.emit({
      at: t,
      account: estate.account,
      region: estate.appRegion,
      service: 'ssm',
      name: 'GetParameters',
      actor: actorAt(t, agents.javaApp),
      request: { names: estate.parameters, withDecryption: false },
    });
  }
  const bootRead = instance.launchedAt >= scene.from - HOUR;
  const firstRead = bootRead ? firstSession + rng.seconds(45, 75) : scene.from + rng.seconds(0, 12 * 3600);
  for (let t = firstRead; t < end; t += 12 * HOUR + rng.seconds(-20, 20)) {
    const app = actorAt(t, agents.javaApp);
    for (const call of readSecret(estate, app, t, estate.appSecret, 'name')) scene.timeline.emit(call);
  }
}

function runInstancesRequest(rng: Rng, instance: Instance): JsonObject {
  return {
    instancesSet: { items: [{ minCount: 1, maxCount: 1 }] },
    availabilityZone: instance.az,
    subnetId: `subnet-0${stableId('', `${instance.az}/subnet`, 16, HEX)}`,
    launchTemplate: { launchTemplateId: 'lt-0d4c7a92e1b3f5608', version: '14' },
    monitoring: { enabled: false },
    disableApiTermination: false,
    disableApiStop: false,
    clientToken: `fleet-${rng.uuid()}-0`,
    tagSpecificationSet: {
      items: [
        { resourceType: 'instance', tags: [{ key: 'aws:autoscaling:groupName', value: 'payments-api-asg' }] },
      ],
    },
  };
}

function runInstancesResponse(rng: Rng, instance: Instance): JsonObject {
  const { estate } = instance;
  return {
    requestId: rng.uuid(),
    reservationId: `r-0${rng.hex(16)}`,
    ownerId: estate.account.id,
    groupSet: {},
    instancesSet: {
      items: [
        {
          instanceId: instance.id,
          imageId: 'ami-0e3f2a9c4d8b71650',
          launchTemplate: { launchTemplateId: 'lt-0d4c7a92e1b3f5608', version: '14' },
          instanceState: { code: 0, name: 'pending' },
          privateDnsName: `ip-${instance.privateIp.replaceAll('.', '-')}.${estate.appRegion}.compute.internal`,
          amiLaunchIndex: 0,
          productCodes: {},
          instanceType: 'm6i.large',
          launchTime: instance.launchedAt,
          placement: { availabilityZone: instance.az, tenancy: 'default' },
          monitoring: { state: 'disabled' },
          subnetId: `subnet-0${stableId('', `${instance.az}/subnet`, 16, HEX)}`,
          vpcId: 'vpc-0e1a7c4b92d3f5a68',
          privateIpAddress: instance.privateIp,
          stateReason: { code: 'pending', message: 'pending' },
          architecture: 'x86_64',
          rootDeviceType: 'ebs',
          rootDeviceName: '/dev/xvda',
          blockDeviceMapping: {},
          virtualizationType: 'hvm',
          hypervisor: 'xen',
          tagSet: { items: [{ key: 'aws:autoscaling:groupName', value: 'payments-api-asg' }] },
          groupSet: { items: [{ groupId: 'sg-0b3e7d1a9c4f26e85', groupName: 'payments-app' }] },
          sourceDestCheck: true,
          iamInstanceProfile: {
            arn: `arn:aws:iam::${estate.account.id}:instance-profile/${instance.role.name}`,
            id: stableId('AIPA', `${estate.account.id}/profile/${instance.role.name}`, 17),
          },
          ebsOptimized: false,
          enaSupport: true,
          cpuOptions: { coreCount: 1, threadsPerCore: 2 },
          metadataOptions: {
            state: 'pending',
            httpTokens: 'required',
            httpPutResponseHopLimit: 2,
            httpEndpoint: 'enabled',
            httpProtocolIpv4: 'enabled',
            httpProtocolIpv6: 'disabled',
            instanceMetadataTags: 'disabled',
          },
        },
      ],
    },
  };
}
