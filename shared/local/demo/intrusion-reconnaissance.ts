import { accessDenied, deniedException, ec2Unauthorized } from './access-denied.js';
import type { ApiCall, Json } from './cloudtrail-record.js';
import {
  AP_SOUTHEAST_1,
  ATTACKER_IP,
  EU_WEST_1,
  PROD,
  svcReporting,
  US_EAST_1,
  US_WEST_2,
} from './estate.js';
import type { Intruder } from './intruder.js';
import { type Actor, userArn } from './principals.js';
import { agents } from './user-agents.js';

/**
 * With the leaked key, from a new address and with tools nobody here uses: whose key is it, what
 * does IAM hold, what else may the key do (mostly denied), and does the root password work.
 */
export function probeLeakedKey(intruder: Intruder): void {
  const { prod, leakedBoto } = intruder;
  const leakedArn = userArn(svcReporting);

  prod('02:47:13', { region: US_EAST_1, service: 'sts', name: 'GetCallerIdentity', actor: leakedBoto });
  const iamRecon: [string, string, Json][] = [
    ['02:47:41', 'ListUsers', null],
    ['02:47:44', 'ListRoles', null],
    ['02:47:46', 'ListGroups', null],
    ['02:47:52', 'ListAttachedUserPolicies', { userName: svcReporting.name }],
    ['02:47:55', 'ListUserPolicies', { userName: svcReporting.name }],
    ['02:47:58', 'GetUserPolicy', { userName: svcReporting.name, policyName: 'legacy-iam-maintenance' }],
    ['02:48:06', 'GetAccountAuthorizationDetails', null],
  ];
  for (const [clock, name, request] of iamRecon) {
    prod(clock, { region: US_EAST_1, service: 'iam', name, actor: leakedBoto, request });
  }
  const ec2Denied = (region: string) => ({
    region,
    service: 'ec2',
    name: 'DescribeInstances',
    request: { instancesSet: {}, filterSet: {} },
    error: ec2Unauthorized(leakedBoto, 'ec2:DescribeInstances', false),
  });
  const probes: [string, Omit<ApiCall, 'at' | 'account' | 'actor'>][] = [
    [
      '02:48:21',
      {
        region: US_EAST_1,
        service: 's3',
        name: 'ListBuckets',
        request: { Host: 's3.amazonaws.com' },
        error: { code: 'AccessDenied', message: 'Access Denied' },
      },
    ],
    ['02:48:24', ec2Denied(US_EAST_1)],
    ['02:48:26', ec2Denied(EU_WEST_1)],
    ['02:48:27', ec2Denied(US_WEST_2)],
    ['02:48:29', ec2Denied(AP_SOUTHEAST_1)],
    [
      '02:48:33',
      {
        region: EU_WEST_1,
        service: 'secretsmanager',
        name: 'ListSecrets',
        error: accessDenied(leakedArn, 'secretsmanager:ListSecrets'),
      },
    ],
    [
      '02:48:36',
      {
        region: EU_WEST_1,
        service: 'rds',
        name: 'DescribeDBInstances',
        error: accessDenied(leakedArn, 'rds:DescribeDBInstances', `arn:aws:rds:${EU_WEST_1}:${PROD.id}:db:*`),
      },
    ],
    [
      '02:48:39',
      {
        region: EU_WEST_1,
        service: 'lambda',
        name: 'ListFunctions20150331',
        error: accessDenied(leakedArn, 'lambda:ListFunctions'),
      },
    ],
    [
      '02:48:42',
      {
        region: EU_WEST_1,
        service: 'dynamodb',
        name: 'ListTables',
        error: deniedException(
          leakedBoto,
          'dynamodb:ListTables',
          `arn:aws:dynamodb:${EU_WEST_1}:${PROD.id}:table/*`,
        ),
      },
    ],
    [
      '02:48:45',
      {
        region: EU_WEST_1,
        service: 'kms',
        name: 'ListKeys',
        error: deniedException(leakedBoto, 'kms:ListKeys'),
      },
    ],
    [
      '02:48:48',
      {
        region: EU_WEST_1,
        service: 'ssm',
        name: 'DescribeParameters',
        error: deniedException(leakedBoto, 'ssm:DescribeParameters'),
      },
    ],
    [
      '02:48:52',
      {
        region: US_EAST_1,
        service: 'cloudtrail',
        name: 'DescribeTrails',
        request: { includeShadowTrails: true },
        error: accessDenied(leakedArn, 'cloudtrail:DescribeTrails'),
      },
    ],
    [
      '02:48:55',
      {
        region: US_EAST_1,
        service: 'guardduty',
        name: 'ListDetectors',
        error: { code: 'AccessDeniedException' },
        response: {
          message: `User: ${leakedArn} is not authorized to perform: guardduty:ListDetectors on resource: arn:aws:guardduty:${US_EAST_1}:${PROD.id}:detector/* because no identity-based policy allows the guardduty:ListDetectors action`,
        },
      },
    ],
    [
      '02:48:58',
      {
        region: US_EAST_1,
        service: 'organizations',
        name: 'DescribeOrganization',
        error: deniedException(leakedBoto, 'organizations:DescribeOrganization'),
      },
    ],
    [
      '02:49:03',
      {
        region: EU_WEST_1,
        service: 'ec2',
        name: 'DescribeSnapshots',
        request: { snapshotSet: {}, ownersSet: { items: [{ owner: 'self' }] }, filterSet: {} },
        error: ec2Unauthorized(leakedBoto, 'ec2:DescribeSnapshots', false),
      },
    ],
  ];
  for (const [clock, call] of probes) prod(clock, { ...call, actor: leakedBoto });

  const root: Actor = {
    identity: { type: 'Root', principalId: PROD.id, arn: `arn:aws:iam::${PROD.id}:root`, accountId: PROD.id },
    ip: ATTACKER_IP,
    userAgent: agents.firefoxLinux,
  };
  for (const clock of ['02:50:32', '02:50:58']) {
    prod(clock, {
      region: US_EAST_1,
      service: 'signin',
      name: 'ConsoleLogin',
      actor: root,
      eventType: 'AwsConsoleSignIn',
      readOnly: false,
      error: { message: 'Failed authentication' },
      response: { ConsoleLogin: 'Failure' },
      additionalEventData: {
        LoginTo: 'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true',
        MobileVersion: 'No',
        MFAUsed: 'No',
      },
      requestId: null,
    });
  }
}
