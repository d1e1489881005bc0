import { deniedException } from './access-denied.js';
import { HOUR, iso, SECOND } from './clock.js';
import { type ApiCall, type JsonObject, s3Extra, s3Request } from './cloudtrail-record.js';
import { type Estate, prodEstate, US_EAST_1 } from './estate.js';
import {
  assumeRoleResponse,
  type IamRole,
  iamDate,
  iamRole,
  onBehalfOf,
  type RoleSession,
  roleActor,
  roleArn,
  roleResource,
  roleSession,
} from './principals.js';
import { lastDayStart, type Scene, workdays } from './scene.js';
import { BASE64, type Rng, stableUuid, UPPER_ALNUM } from './seeded-random.js';
import { agents } from './user-agents.js';

/**
 * GitHub Actions deploys through OIDC: upload the artifacts, create and execute a CloudFormation
 * change set, poll the stack. CloudFormation then updates the functions with the caller's
 * credentials; now and then a stack adds a function with a new, narrowly scoped role.
 */
export function ciDeploys(scene: Scene, estate: Estate): void {
  const rng = scene.rng.fork(`ci/${estate.account.id}`);
  let deploys = 0;
  const lastDay = lastDayStart(scene);
  for (const day of workdays(scene)) {
    const times = Array.from({ length: rng.int(...estate.deploysPerWorkday) }, () =>
      rng.int(Math.round(8.5 * 3600), Math.round(17.5 * 3600)),
    ).sort((a, b) => a - b);
    for (const [index, offset] of times.entries()) {
      const addsFunction = deploys === 0 || rng.chance(0.12);
      const misconfigured = estate === prodEstate && day === lastDay && index === 0;
      deploy(scene, estate, rng, day + offset * SECOND, addsFunction, misconfigured);
      deploys++;
    }
  }
}

function deploy(
  scene: Scene,
  estate: Estate,
  rng: Rng,
  startedAt: number,
  addsFunction: boolean,
  misconfigured: boolean,
): void {
  const { account, appRegion: region } = estate;
  const emit = (call: Omit<ApiCall, 'account' | 'region'> & { region?: string }) =>
    scene.timeline.emit({ account, region, ...call });
  const stack = rng.pick(estate.stacks);
  const sha = rng.hex(40);
  const runnerIp = `${rng.pick(['20.57', '4.227', '172.183', '52.176', '40.84'])}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  const subject = `repo:${stack.repo}:ref:${estate.gitRef}`;
  const provider = `arn:aws:iam::${account.id}:oidc-provider/token.actions.githubusercontent.com`;
  const session: RoleSession = {
    ...roleSession(rng, estate.ciRole, 'GitHubActions', startedAt),
    webIdentityProvider: provider,
  };
  emit({
    at: startedAt,
    service: 'sts',
    name: 'AssumeRoleWithWebIdentity',
    actor: {
      identity: {
        type: 'WebIdentityUser',
        principalId: `${provider}:sts.amazonaws.com:${subject}`,
        userName: subject,
        identityProvider: provider,
      },
      ip: runnerIp,
      userAgent: agents.githubCredentials,
    },
    request: { roleArn: roleArn(estate.ciRole), roleSessionName: 'GitHubActions', durationSeconds: 3600 },
    response: {
      ...assumeRoleResponse(rng, session, HOUR),
      subjectFromWebIdentityToken: subject,
      provider,
      audience: 'sts.amazonaws.com',
    },
    resources: [roleResource(estate.ciRole)],
  });
  const runner = (command: string) => roleActor(session, runnerIp, agents.runnerCli(command));
  emit({
    at: startedAt + rng.seconds(1, 2),
    service: 'sts',
    name: 'GetCallerIdentity',
    actor: roleActor(session, runnerIp, agents.githubCredentials),
  });
  let t = startedAt + rng.seconds(4, 10);
  const next = (min: number, max: number) => {
    t += rng.seconds(min, max);
    return t;
  };

  if (misconfigured) {
    const name = '/payments/prod/sentry-dsn';
    emit({
      at: next(1, 3),
      service: 'ssm',
      name: 'GetParameter',
      actor: runner('ssm.get-parameter'),
      request: { name, withDecryption: true },
      error: deniedException(
        runner(''),
        'ssm:GetParameter',
        `arn:aws:ssm:${region}:${account.id}:parameter${name}`,
      ),
    });
  }
  const prefix = `${stack.name}/${sha}`;
  const templateKey = `${prefix}/template.yaml`;
  const codeKey = `${prefix}/function.zip`;
  if (estate.recordsArtifactWrites) {
    for (const [key, size] of [
      [codeKey, rng.int(900_000, 4_800_000)],
      [templateKey, rng.int(4_000, 18_000)],
    ] as const) {
      const bucketArn = `arn:aws:s3:::${estate.artifactsBucket}`;
      emit({
        at: next(2, 12),
        service: 's3',
        name: 'PutObject',
        actor: runner('s3.cp'),
        dataEvent: true,
        request: { ...s3Request(estate.artifactsBucket, region), key },
        response: { 'x-amz-server-side-encryption': 'AES256' },
        additionalEventData: s3Extra(rng, size, 0, { SSEApplied: 'Default_SSE_S3' }),
        resources: [
          { type: 'AWS::S3::Object', ARN: `${bucketArn}/${key}` },
          { accountId: account.id, type: 'AWS::S3::Bucket', ARN: bucketArn },
        ],
        host: `${estate.artifactsBucket}.s3.${region}.amazonaws.com`,
      });
    }
  } else {
    next(4, 15);
  }

  const stackId = `arn:aws:cloudformation:${region}:${account.id}:stack/${stack.name}/${stableUuid(`${account.id}/${stack.name}`)}`;
  const changeSetName = `deploy-${sha.slice(0, 7)}`;
  const changeSetId = `arn:aws:cloudformation:${region}:${account.id}:changeSet/${changeSetName}/${rng.uuid()}`;
  emit({
    at: next(3, 8),
    service: 'cloudformation',
    name: 'CreateChangeSet',
    actor: runner('cloudformation.create-change-set'),
    request: {
      stackName: stack.name,
      templateURL: `https://${estate.artifactsBucket}.s3.${region}.amazonaws.com/${templateKey}`,
      parameters: [
        { parameterKey: 'ArtifactKey', parameterValue: codeKey },
        { parameterKey: 'GitSha', parameterValue: sha },
      ],
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      changeSetName,
      changeSetType: 'UPDATE',
    },
    response: { id: changeSetId, stackId },
  });
  for (let n = rng.int(2, 3); n > 0; n--) {
    emit({
      at: next(3, 9),
      service: 'cloudformation',
      name: 'DescribeChangeSet',
      actor: runner('cloudformation.describe-change-set'),
      request: { changeSetName: changeSetId, stackName: stack.name },
    });
  }
  emit({
    at: next(1, 4),
    service: 'cloudformation',
    name: 'ExecuteChangeSet',
    actor: runner('cloudformation.execute-change-set'),
    request: { changeSetName: changeSetId, stackName: stack.name },
  });

  const cloudformation = onBehalfOf(roleActor(session, '', ''), 'cloudformation.amazonaws.com');
  let cfnAt = t + rng.seconds(2, 6);
  const cfn = (call: Omit<ApiCall, 'account' | 'region' | 'at' | 'actor'> & { region?: string }) => {
    emit({ ...call, at: cfnAt, actor: cloudformation });
    cfnAt += rng.seconds(1, 8);
  };
  if (addsFunction) {
    const fn = `${stack.name.replace(/-(prod|staging)$/, '')}-archiver`;
    const role = iamRole(account, `${stack.name}-ArchiverRole-${rng.chars(UPPER_ALNUM, 12)}`);
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    });
    const tags = [
      { key: 'aws:cloudformation:stack-name', value: stack.name },
      { key: 'aws:cloudformation:logical-id', value: 'ArchiverRole' },
      { key: 'aws:cloudformation:stack-id', value: stackId },
    ];
    cfn({
      region: US_EAST_1,
      service: 'iam',
      name: 'CreateRole',
      request: { roleName: role.name, assumeRolePolicyDocument: trust, tags },
      response: {
        role: {
          path: '/',
          roleName: role.name,
          roleId: role.roleId,
          arn: roleArn(role),
          createDate: iamDate(cfnAt),
          assumeRolePolicyDocument: encodeURIComponent(trust),
          tags,
        },
      },
    });
    cfn({
      region: US_EAST_1,
      service: 'iam',
      name: 'AttachRolePolicy',
      request: {
        roleName: role.name,
        policyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      },
    });
    cfn({
      region: US_EAST_1,
      service: 'iam',
      name: 'PutRolePolicy',
      request: {
        roleName: role.name,
        policyName: 'archive-bucket-write',
        policyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['s3:PutObject'],
              Resource: `arn:aws:s3:::${estate.artifactsBucket.replace('deploy-artifacts', 'archive')}/*`,
            },
          ],
        }),
      },
    });
    cfn({ region: US_EAST_1, service: 'iam', name: 'GetRole', request: { roleName: role.name } });
    cfnAt += rng.seconds(8, 15);
    cfn({
      service: 'lambda',
      name: 'CreateFunction20150331',
      request: {
        functionName: fn,
        runtime: 'nodejs20.x',
        role: roleArn(role),
        handler: 'index.handler',
        code: { s3Bucket: estate.artifactsBucket, s3Key: codeKey },
        timeout: 30,
        memorySize: 256,
        architectures: ['arm64'],
        publish: false,
      },
      response: functionConfiguration(rng, estate, fn, role, cfnAt),
    });
  }
  for (const fn of stack.functions) {
    cfn({
      service: 'lambda',
      name: 'UpdateFunctionCode20150331v2',
      request: {
        functionName: fn,
        s3Bucket: estate.artifactsBucket,
        s3Key: codeKey,
        publish: false,
        dryRun: false,
      },
      response: functionConfiguration(rng, estate, fn, iamRole(account, `${fn}-role`), cfnAt),
    });
    cfn({ service: 'lambda', name: 'GetFunction20150331v2', request: { functionName: fn } });
  }

  t += rng.seconds(5, 10);
  while (t < cfnAt + 20 * SECOND) {
    emit({
      at: next(5, 15),
      service: 'cloudformation',
      name: 'DescribeStacks',
      actor: runner('cloudformation.deploy'),
      request: { stackName: stack.name },
    });
    emit({
      at: next(0, 1),
      service: 'cloudformation',
      name: 'DescribeStackEvents',
      actor: runner('cloudformation.deploy'),
      request: { stackName: stack.name },
    });
  }
}

function functionConfiguration(rng: Rng, estate: Estate, fn: string, role: IamRole, at: number): JsonObject {
  const arn = `arn:aws:lambda:${estate.appRegion}:${estate.account.id}:function:${fn}`;
  return {
    functionName: fn,
    functionArn: arn,
    runtime: 'nodejs20.x',
    role: roleArn(role),
    handler: 'index.handler',
    codeSize: rng.int(900_000, 4_800_000),
    description: '',
    timeout: 30,
    memorySize: 256,
    lastModified: `${iso(at).slice(0, 19)}.000+0000`,
    codeSha256: `${rng.chars(BASE64, 43)}=`,
    version: '$LATEST',
    tracingConfig: { mode: 'PassThrough' },
    revisionId: rng.uuid(),
    state: 'Active',
    lastUpdateStatus: 'InProgress',
    lastUpdateStatusReason: 'The function is being created.',
    lastUpdateStatusReasonCode: 'Creating',
    packageType: 'Zip',
    architectures: ['arm64'],
    ephemeralStorage: { size: 512 },
    snapStart: { applyOn: 'None', optimizationStatus: 'Off' },
    loggingConfig: { logFormat: 'Text', logGroup: `/aws/lambda/${fn}` },
  };
}
