import { consoleSignIn } from './console-work.js';
import {
  ADMINISTRATOR_ACCESS,
  AP_SOUTHEAST_1,
  ATTACKER_IP,
  EU_WEST_1,
  svcBackup,
  US_EAST_1,
  US_WEST_2,
} from './estate.js';
import type { Intruder } from './intruder.js';
import { iamDate, userArn } from './principals.js';
import { agents } from './user-agents.js';

/**
 * The leaked key still has the legacy IAM rights of a maintenance script: enough to create an
 * administrator with a key and a console password, which the intruder switches to and looks around with.
 */
export function createBackdoorAdministrator(intruder: Intruder): void {
  const { rng, at, emit, prod, leakedCli, backdoor } = intruder;
  const created = at('02:52:10');
  prod('02:52:10', {
    region: US_EAST_1,
    service: 'iam',
    name: 'CreateUser',
    actor: leakedCli('iam.create-user'),
    request: { userName: svcBackup.name },
    response: {
      user: {
        path: '/',
        userName: svcBackup.name,
        userId: svcBackup.userId,
        arn: userArn(svcBackup),
        createDate: iamDate(created),
      },
    },
  });
  prod('02:52:31', {
    region: US_EAST_1,
    service: 'iam',
    name: 'CreateAccessKey',
    actor: leakedCli('iam.create-access-key'),
    request: { userName: svcBackup.name },
    response: {
      accessKey: {
        userName: svcBackup.name,
        accessKeyId: svcBackup.accessKeyId,
        status: 'Active',
        createDate: iamDate(at('02:52:31')),
      },
    },
  });
  prod('02:52:48', {
    region: US_EAST_1,
    service: 'iam',
    name: 'AttachUserPolicy',
    actor: leakedCli('iam.attach-user-policy'),
    request: { userName: svcBackup.name, policyArn: ADMINISTRATOR_ACCESS },
  });
  prod('02:53:15', {
    region: US_EAST_1,
    service: 'iam',
    name: 'CreateLoginProfile',
    actor: leakedCli('iam.create-login-profile'),
    request: { userName: svcBackup.name, passwordResetRequired: false },
    response: {
      loginProfile: {
        userName: svcBackup.name,
        createDate: iamDate(at('02:53:15')),
        passwordResetRequired: false,
      },
    },
  });

  prod('02:55:02', {
    region: US_EAST_1,
    service: 'sts',
    name: 'GetCallerIdentity',
    actor: backdoor('sts.get-caller-identity'),
  });
  const { signIn, actor: consoleIntruder } = consoleSignIn(
    rng,
    svcBackup,
    at('02:55:40'),
    false,
    ATTACKER_IP,
    agents.firefoxLinux,
  );
  emit(signIn);
  prod('02:56:02', {
    region: US_EAST_1,
    service: 'iam',
    name: 'GetAccountSummary',
    actor: consoleIntruder,
  });
  prod('02:56:19', {
    region: EU_WEST_1,
    service: 'ec2',
    name: 'DescribeRegions',
    actor: backdoor('ec2.describe-regions'),
    request: { regionSet: {} },
  });
  for (const [clock, region] of [
    ['02:56:31', US_EAST_1],
    ['02:56:35', EU_WEST_1],
    ['02:56:38', US_WEST_2],
    ['02:56:42', AP_SOUTHEAST_1],
  ] as const) {
    prod(clock, {
      region,
      service: 'ec2',
      name: 'DescribeInstances',
      actor: backdoor('ec2.describe-instances'),
      request: { instancesSet: {}, filterSet: {} },
    });
  }
}
