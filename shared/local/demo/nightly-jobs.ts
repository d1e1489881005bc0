import { DAY, HOUR, iso, MINUTE, SECOND } from './clock.js';
import type { Json } from './cloudtrail-record.js';
import { EU_WEST_1, maria, OFFICE_IP, PROD, prodEstate, svcReporting, tom, US_EAST_1 } from './estate.js';
import { iamRole, keyActor, roleActor, roleArn, roleSession, serviceAssumesRole } from './principals.js';
import type { Scene } from './scene.js';
import { agents } from './user-agents.js';

/**
 * Nightly work: the reporting job's IAM credential report and cost report (the same long-term
 * key the intruder later uses), the ledger export, and AWS Backup's job for the payments database.
 */
export function nightlyJobs(scene: Scene): void {
  const rng = scene.rng.fork('nightly');
  const exportRole = iamRole(PROD, 'nightly-ledger-export-role');
  const backupRole = iamRole(PROD, 'AWSBackupDefaultServiceRole', 'service-role/');
  for (let day = scene.from; day < scene.to; day += DAY) {
    let t = day + 90 * MINUTE + rng.seconds(-240, 240);
    const job = (command: string) => keyActor(svcReporting, OFFICE_IP, agents.reportingCli(command));
    const report = (
      name: string,
      command: string,
      request: Json = null,
      response: Json = null,
      region = US_EAST_1,
    ) => {
      scene.timeline.emit({
        at: t,
        account: PROD,
        region,
        service: 'iam',
        name,
        actor: job(command),
        request,
        response,
      });
      t += rng.seconds(1, 4);
    };
    report('GenerateCredentialReport', 'iam.generate-credential-report', null, {
      state: 'STARTED',
      description: 'No report exists. Starting a new report generation task',
    });
    t += rng.seconds(8, 15);
    report('GenerateCredentialReport', 'iam.generate-credential-report', null, { state: 'COMPLETE' });
    report('GetCredentialReport', 'iam.get-credential-report');
    report('ListUsers', 'iam.list-users');
    for (const user of [maria, tom, svcReporting]) {
      report('ListAccessKeys', 'iam.list-access-keys', { userName: user.name });
    }
    const yesterday = iso(day - DAY).slice(0, 10);
    scene.timeline.emit({
      at: t,
      account: PROD,
      region: US_EAST_1,
      service: 'ce',
      name: 'GetCostAndUsage',
      actor: job('ce.get-cost-and-usage'),
      request: {
        timePeriod: { start: yesterday, end: iso(day).slice(0, 10) },
        granularity: 'DAILY',
        metrics: ['UnblendedCost'],
        groupBy: [{ type: 'DIMENSION', key: 'SERVICE' }],
      },
      host: 'ce.us-east-1.amazonaws.com',
    });

    const exportAt = day + 65 * MINUTE + rng.seconds(0, 120);
    const session = roleSession(rng, exportRole, 'nightly-ledger-export', exportAt);
    scene.timeline.emit(serviceAssumesRole(rng, session, EU_WEST_1, 'lambda.amazonaws.com', 12 * HOUR));
    const fn = roleActor(
      session,
      rng.pick(['3.250.14.90', '54.154.201.33', '52.211.76.4']),
      agents.lambdaNode('dynamodb'),
    );
    const tableArn = `arn:aws:dynamodb:${EU_WEST_1}:${PROD.id}:table/ledger-entries`;
    const exportArn = `${tableArn}/export/${Math.floor(exportAt / SECOND)}000-${rng.hex(8)}`;
    let at = exportAt + rng.seconds(1, 3);
    scene.timeline.emit({
      at,
      account: PROD,
      region: EU_WEST_1,
      service: 'dynamodb',
      name: 'ExportTableToPointInTime',
      actor: fn,
      request: {
        tableArn,
        s3Bucket: 'acme-prod-ledger-exports',
        s3Prefix: `daily/${iso(day).slice(0, 10)}`,
        exportFormat: 'DYNAMODB_JSON',
      },
      response: { exportDescription: { exportArn, exportStatus: 'IN_PROGRESS', tableArn } },
    });
    for (let n = rng.int(2, 4); n > 0; n--) {
      at += rng.seconds(60, 180);
      scene.timeline.emit({
        at,
        account: PROD,
        region: EU_WEST_1,
        service: 'dynamodb',
        name: 'DescribeExport',
        actor: fn,
        request: { exportArn },
      });
    }

    const backupAt = day + 75 * MINUTE + rng.seconds(0, 1200);
    const backupJobId = rng.uuid().toUpperCase();
    scene.timeline.emit({
      at: backupAt,
      account: PROD,
      region: EU_WEST_1,
      service: 'backup',
      name: 'BackupJobCompleted',
      actor: {
        identity: { accountId: PROD.id, invokedBy: 'backup.amazonaws.com' },
        ip: 'backup.amazonaws.com',
        userAgent: 'backup.amazonaws.com',
        viaService: true,
      },
      eventType: 'AwsServiceEvent',
      readOnly: false,
      requestId: null,
      serviceEventDetails: {
        backupJobId,
        backupVaultName: 'Default',
        backupVaultArn: `arn:aws:backup:${EU_WEST_1}:${PROD.id}:backup-vault:Default`,
        recoveryPointArn: `arn:aws:rds:${EU_WEST_1}:${PROD.id}:snapshot:awsbackup:job-${backupJobId.toLowerCase()}`,
        resourceArn: `arn:aws:rds:${EU_WEST_1}:${PROD.id}:db:payments-db`,
        resourceType: 'RDS',
        iamRoleArn: roleArn(backupRole),
        state: 'COMPLETED',
        creationDate: iso(backupAt - rng.seconds(300, 900)),
        completionDate: iso(backupAt),
        percentDone: '100.0',
      },
    });
  }
  const rotateAt = scene.to - DAY + 4 * HOUR + rng.seconds(0, 3600);
  const keyArn = prodEstate.secretsKeyArn;
  scene.timeline.emit({
    at: rotateAt,
    account: PROD,
    region: EU_WEST_1,
    service: 'kms',
    name: 'RotateKey',
    actor: {
      identity: { accountId: PROD.id, invokedBy: 'AWS Internal' },
      ip: 'AWS Internal',
      userAgent: 'AWS Internal',
      viaService: true,
    },
    eventType: 'AwsServiceEvent',
    readOnly: false,
    requestId: null,
    additionalEventData: { keyId: keyArn.slice(keyArn.lastIndexOf('/') + 1) },
    resources: [{ accountId: PROD.id, type: 'AWS::KMS::Key', ARN: keyArn }],
  });
}
