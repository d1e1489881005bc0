import { SECOND } from './clock.js';
import { s3Request } from './cloudtrail-record.js';
import {
  demoScenario,
  EU_WEST_1,
  EXTERNAL_ACCOUNT_ID,
  PROD,
  prodEstate,
  STAGING,
  svcBackup,
  TRAIL_ARN,
  US_EAST_1,
} from './estate.js';
import type { Intruder } from './intruder.js';
import { userArn } from './principals.js';
import { emitInBothAccounts } from './scene.js';
import { readSecret } from './secrets-manager.js';
import { itemAt } from './seeded-random.js';

// What the intruder does as administrator, in the order they did it.

/** GuardDuty is switched off in one region and deleted in the other; the VPC flow logs go too. */
export function blindDetection(intruder: Intruder): void {
  const { rng, prod, backdoor } = intruder;
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
}

/**
 * Every production secret is read, the ledger database's volume is snapshotted and shared with an
 * outside account, and the customer exports bucket is opened to the world.
 */
export function takeData(intruder: Intruder): void {
  const { rng, at, emit, prod, backdoor } = intruder;
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
    for (const call of readSecret(prodEstate, reader, t, name, 'arn')) emit(call);
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
}

/** The backdoor user may not assume the organisation role in staging: denied, and logged in both accounts. */
export function tryToReachStaging(intruder: Intruder): void {
  const { scene, rng, at, backdoor } = intruder;
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
}

/** Returns when logging stopped: what follows in production is never delivered. */
export function stopTrail(intruder: Intruder): number {
  const { at, prod, backdoor } = intruder;
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
