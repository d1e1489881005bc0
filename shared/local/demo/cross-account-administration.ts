import { HOUR } from './clock.js';
import type { Json } from './cloudtrail-record.js';
import { EU_WEST_1, maria, OFFICE_IP, PROD, STAGING, stagingEstate } from './estate.js';
import {
  assumeRoleResponse,
  iamRole,
  keyActor,
  type RoleSession,
  roleActor,
  roleArn,
  roleResource,
  roleSession,
} from './principals.js';
import { emitInBothAccounts, lastDayStart, type Scene, workdays } from './scene.js';
import { itemAt } from './seeded-random.js';
import { agents } from './user-agents.js';

/**
 * Maria administers staging from her laptop: aws-vault asks for her MFA code and assumes the
 * staging platform role. A cross-account AssumeRole is logged in both accounts under one shared id.
 */
export function crossAccountAdministration(scene: Scene): void {
  const rng = scene.rng.fork('cross-account');
  const platformAdmin = iamRole(STAGING, 'platform-admin');
  const lastDay = lastDayStart(scene);
  for (const day of workdays(scene)) {
    if (day !== scene.from && day !== lastDay) continue;
    const at = day + 15 * HOUR + rng.seconds(0, 3600);
    const session: RoleSession = { ...roleSession(rng, platformAdmin, maria.name, at), mfa: true };
    emitInBothAccounts(scene, rng, {
      at,
      region: EU_WEST_1,
      service: 'sts',
      name: 'AssumeRole',
      actor: keyActor(maria, OFFICE_IP, agents.awsVault('sts')),
      request: {
        roleArn: roleArn(platformAdmin),
        roleSessionName: maria.name,
        durationSeconds: 3600,
        serialNumber: `arn:aws:iam::${PROD.id}:mfa/${maria.name}`,
      },
      response: assumeRoleResponse(rng, session, HOUR),
      resources: [roleResource(platformAdmin)],
    });
    const admin = (api: string) => roleActor(session, OFFICE_IP, agents.awsVault(api));
    let t = at + rng.seconds(5, 20);
    const stack = rng.pick(stagingEstate.stacks);
    const reads: [string, string, Json, string][] = [
      ['cloudformation', 'DescribeStacks', { stackName: stack.name }, 'cloudformation'],
      ['cloudformation', 'DescribeStackEvents', { stackName: stack.name }, 'cloudformation'],
      ['lambda', 'GetFunction20150331v2', { functionName: itemAt(stack.functions, 0) }, 'lambda'],
      [
        'logs',
        'FilterLogEvents',
        { logGroupName: `/aws/lambda/${itemAt(stack.functions, 0)}`, startTime: t - 2 * HOUR, endTime: t },
        'cloudwatchlogs',
      ],
      ['ssm', 'DescribeInstanceInformation', { maxResults: 50 }, 'ssm'],
    ];
    for (const [service, name, request, api] of reads) {
      scene.timeline.emit({
        at: t,
        account: STAGING,
        region: EU_WEST_1,
        service,
        name,
        actor: admin(api),
        request,
      });
      t += rng.seconds(3, 40);
    }
  }
}
