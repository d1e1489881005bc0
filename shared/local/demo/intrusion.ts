import { accessDenied, deniedException, ec2Unauthorized } from './access-denied.js';
import { SECOND, clockToMs } from './clock.js';
import { type ApiCall, type Json, s3Request } from './cloudtrail-record.js';
import {
  ADMINISTRATOR_ACCESS,
  AP_SOUTHEAST_1,
  ATTACKER_IP,
  demoScenario,
  EU_WEST_1,
  EXTERNAL_ACCOUNT_ID,
  maria,
  PROD,
  prodEstate,
  STAGING,
  svcBackup,
  svcReporting,
  TRAIL_ARN,
  US_EAST_1,
  US_WEST_2,
} from './estate.js';
import {
  type Actor,
  consoleActor,
  iamDate,
  iamUserIdentity,
  keyActor,
  onBehalfOf,
  sessionKey,
  userArn,
} from './principals.js';
import { attackDayStart, emitInBothAccounts, type Scene } from './scene.js';
import { secretArn, secretDecrypt } from './secrets-manager.js';
import { itemAt } from './seeded-random.js';
import { agents } from './user-agents.js';

// The intrusion, on the second day at night (UTC), when only machines are working.

/**
 * The reporting job's long-term key leaked. From a new address, with tools nobody here uses, the
 * intruder checks whose key it is, maps IAM and probes what else the key can do (mostly denied),
 * tries the root password, then uses the key's legacy IAM rights to create a backdoor administrator,
 * switches to that user, blinds GuardDuty and the flow logs, reads every secret, shares a database
 * snapshot with an outside account, opens a bucket to the world, fails to pivot into staging, and
 * stops the trail. Returns when logging stopped.
 */
export function intrusion(scene: Scene): number {
  const day = attackDayStart(scene);
  const rng = scene.rng.fork('intrusion');
  const at = (clock: string) => day + clockToMs(clock);
  const emit = (call: ApiCall) => scene.timeline.emit(call, 'attack');
  const prod = (clock: string, call: Omit<ApiCall, 'at' | 'account'>) =>
    emit({ ...call, at: at(clock), account: PROD });

  const leakedBoto = keyActor(svcReporting, ATTACKER_IP, agents.intruderBoto3);
  const leakedCli = (command: string) => keyActor(svcReporting, ATTACKER_IP, agents.intruderCli(command));
  const backdoor = (command: string) => keyActor(svcBackup, ATTACKER_IP, agents.intruderCli(command));
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
  prod('02:55:40', {
    region: US_EAST_1,
    service: 'signin',
    name: 'ConsoleLogin',
    actor: { identity: iamUserIdentity(svcBackup, false), ip: ATTACKER_IP, userAgent: agents.firefoxLinux },
    eventType: 'AwsConsoleSignIn',
    readOnly: false,
    response: { ConsoleLogin: 'Success' },
    additionalEventData: {
      LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_${rng.hex(16)}`,
      MobileVersion: 'No',
      MFAUsed: 'No',
    },
    requestId: null,
  });
  const consoleIntruder = consoleActor(
    svcBackup,
    sessionKey(rng),
    at('02:55:40'),
    false,
    ATTACKER_IP,
    agents.firefoxLinux,
  );
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

  const [eastDetector, westDetector] = [
    itemAt(Object.values(prodEstate.detectors), 0),
    itemAt(Object.values(prodEstate.detectors), 1),
  ];
  prod('02:58:40', {
    region: US_EAST_1,
    service: 'guardduty',
    name: 'ListDetectors',
    actor: backdoor('guardduty.list-detectors'),
  });
  prod('02:58:52', {
    region: US_EAST_1,
    service: 'guardduty',
    name: 'UpdateDetector',
    actor: backdoor('guardduty.update-detector'),
    request: { detectorId: eastDetector, enable: false },
  });
  prod('02:59:20', {
    region: EU_WEST_1,
    service: 'guardduty',
    name: 'ListDetectors',
    actor: backdoor('guardduty.list-detectors'),
  });
  prod('02:59:31', {
    region: EU_WEST_1,
    service: 'guardduty',
    name: 'DeleteDetector',
    actor: backdoor('guardduty.delete-detector'),
    request: { detectorId: westDetector },
  });
  const flowLogId = 'fl-0b7e4d2a9c3f16e58';
  prod('03:00:05', {
    region: EU_WEST_1,
    service: 'ec2',
    name: 'DescribeFlowLogs',
    actor: backdoor('ec2.describe-flow-logs'),
    request: { DescribeFlowLogsRequest: {} },
  });
  const deleteFlowLogsRequestId = rng.uuid();
  prod('03:00:19', {
    region: EU_WEST_1,
    service: 'ec2',
    name: 'DeleteFlowLogs',
    actor: backdoor('ec2.delete-flow-logs'),
    request: { DeleteFlowLogsRequest: { FlowLogId: { content: flowLogId, tag: 1 } } },
    response: {
      DeleteFlowLogsResponse: {
        xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
        requestId: deleteFlowLogsRequestId,
        unsuccessful: '',
      },
    },
    requestId: deleteFlowLogsRequestId,
  });

  prod('03:02:10', {
    region: EU_WEST_1,
    service: 'secretsmanager',
    name: 'ListSecrets',
    actor: backdoor('secretsmanager.list-secrets'),
  });
  const secrets = [
    'prod/payments/db-credentials',
    'prod/payments/stripe-api-key',
    'prod/auth/jwt-signing-key',
    'prod/ledger/db-credentials',
    'prod/reporting/warehouse-password',
    'prod/integrations/salesforce-oauth',
    'prod/integrations/sendgrid-api-key',
    'prod/ops/pagerduty-token',
    'prod/ci/github-deploy-key',
    'prod/partners/bank-sftp-credentials',
  ];
  for (const [index, name] of secrets.entries()) {
    const t = at('03:02:24') + index * 5 * SECOND + (index % 3) * SECOND;
    const reader = backdoor('secretsmanager.get-secret-value');
    const arn = secretArn(prodEstate, name);
    emit({
      at: t,
      account: PROD,
      region: EU_WEST_1,
      service: 'secretsmanager',
      name: 'GetSecretValue',
      actor: reader,
      request: { secretId: arn },
    });
    emit(secretDecrypt(prodEstate, onBehalfOf(reader, 'secretsmanager.amazonaws.com'), t, arn));
  }

  const volumeId = 'vol-0d9a3f7c21b8e4a56';
  const snapshotId = demoScenario.sharedSnapshotId;
  prod('03:08:40', {
    region: EU_WEST_1,
    service: 'ec2',
    name: 'DescribeVolumes',
    actor: backdoor('ec2.describe-volumes'),
    request: {
      volumeSet: {},
      filterSet: {
        items: [{ name: 'attachment.instance-id', valueSet: { items: [{ value: 'i-07f3b2c9e1d4a6b85' }] } }],
      },
    },
  });
  const snapshotRequestId = rng.uuid();
  prod('03:09:02', {
    region: EU_WEST_1,
    service: 'ec2',
    name: 'CreateSnapshot',
    actor: backdoor('ec2.create-snapshot'),
    request: { volumeId, description: 'backup' },
    response: {
      requestId: snapshotRequestId,
      snapshotId,
      volumeId,
      status: 'pending',
      startTime: at('03:09:02'),
      progress: '',
      ownerId: PROD.id,
      description: 'backup',
      volumeSize: 200,
      encrypted: false,
    },
    requestId: snapshotRequestId,
  });
  const shareRequestId = rng.uuid();
  prod('03:14:37', {
    region: EU_WEST_1,
    service: 'ec2',
    name: 'ModifySnapshotAttribute',
    actor: backdoor('ec2.modify-snapshot-attribute'),
    request: {
      snapshotId,
      attributeType: 'CREATE_VOLUME_PERMISSION',
      createVolumePermission: { add: { items: [{ userId: EXTERNAL_ACCOUNT_ID }] } },
    },
    response: { requestId: shareRequestId, _return: true },
    requestId: shareRequestId,
  });

  const bucket = demoScenario.publicBucket;
  prod('03:16:20', {
    region: EU_WEST_1,
    service: 's3',
    name: 'GetBucketPolicy',
    actor: backdoor('s3api.get-bucket-policy'),
    request: s3Request(bucket, EU_WEST_1, { policy: '' }),
    error: { code: 'NoSuchBucketPolicy', message: 'The bucket policy does not exist' },
  });
  prod('03:16:41', {
    region: EU_WEST_1,
    service: 's3',
    name: 'DeleteBucketPublicAccessBlock',
    actor: backdoor('s3api.delete-public-access-block'),
    request: s3Request(bucket, EU_WEST_1, { publicAccessBlock: '' }),
  });
  prod('03:17:02', {
    region: EU_WEST_1,
    service: 's3',
    name: 'PutBucketPolicy',
    actor: backdoor('s3api.put-bucket-policy'),
    request: {
      bucketPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PublicRead',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::${bucket}/*`,
          },
        ],
      },
      ...s3Request(bucket, EU_WEST_1, { policy: '' }),
    },
  });

  const pivotRole = `arn:aws:iam::${STAGING.id}:role/OrganizationAccountAccessRole`;
  emitInBothAccounts(
    scene,
    rng,
    {
      at: at('03:19:30'),
      region: US_EAST_1,
      service: 'sts',
      name: 'AssumeRole',
      actor: backdoor('sts.assume-role'),
      request: { roleArn: pivotRole, roleSessionName: 'backup' },
      error: {
        code: 'AccessDenied',
        message: `User: ${userArn(svcBackup)} is not authorized to perform: sts:AssumeRole on resource: ${pivotRole}`,
      },
    },
    'attack',
  );

  prod('03:21:05', {
    region: US_EAST_1,
    service: 'cloudtrail',
    name: 'DescribeTrails',
    actor: backdoor('cloudtrail.describe-trails'),
    request: { includeShadowTrails: true },
  });
  prod('03:21:18', {
    region: US_EAST_1,
    service: 'cloudtrail',
    name: 'GetTrailStatus',
    actor: backdoor('cloudtrail.get-trail-status'),
    request: { name: TRAIL_ARN },
  });
  prod('03:21:34', {
    region: US_EAST_1,
    service: 'cloudtrail',
    name: 'StopLogging',
    actor: backdoor('cloudtrail.stop-logging'),
    request: { name: TRAIL_ARN },
  });
  return at('03:21:34');
}

/**
 * The next morning Maria finds the production trail stopped and starts it again; her sign-in
 * happened while the trail was off, so only the session's later calls are recorded.
 */
export function loggingRestored(scene: Scene): number {
  const rng = scene.rng.fork('logging-restored');
  const day = attackDayStart(scene);
  const signedIn = day + clockToMs('08:41:09');
  const person = itemAt(prodEstate.people, 0);
  const actor = consoleActor(maria, sessionKey(rng), signedIn, true, person.ip, person.userAgent);
  const restartedAt = day + clockToMs('08:52:37');
  const calls: [number, string, Json][] = [
    [restartedAt, 'StartLogging', { name: TRAIL_ARN }],
    [restartedAt + 4 * SECOND, 'GetTrailStatus', { name: TRAIL_ARN }],
    [restartedAt + 9 * SECOND, 'DescribeTrails', { includeShadowTrails: true }],
    [
      restartedAt + 71 * SECOND,
      'LookupEvents',
      { maxResults: 50, lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'StopLogging' }] },
    ],
  ];
  for (const [at, name, request] of calls) {
    scene.timeline.emit({
      at,
      account: PROD,
      region: US_EAST_1,
      service: 'cloudtrail',
      name,
      actor,
      request,
    });
  }
  return restartedAt;
}
