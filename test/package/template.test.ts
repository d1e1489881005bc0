import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inventoryIamActions } from '../../shared/aws/aws-log-inventory.js';

/**
 * Checks what `osls package --stage test` produced (npm run package runs it first): the CloudFormation
 * template and the function zips, as they would be deployed.
 */
const root = join(import.meta.dirname, '..', '..');
const output = join(root, '.serverless');
const templatePath = join(output, 'cloudformation-template-update-stack.json');
if (!existsSync(templatePath)) {
  throw new Error(
    `${relative(root, templatePath)} is missing: run \`npm run package\` (osls package --stage test) before this test.`,
  );
}

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
  DependsOn?: string | string[];
}
interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

const template = JSON.parse(readFileSync(templatePath, 'utf8')) as {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, unknown>;
};
const resources = template.Resources;

function resource(logicalId: string, type: string): Resource {
  const found = resources[logicalId];
  if (!found) throw new Error(`The template has no ${logicalId}.`);
  expect(found.Type).toBe(type);
  return found;
}

const ref = (logicalId: string) => ({ Ref: logicalId });
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Function key, handler file, and the role serverless.yml gives it. */
const functions = {
  openCase: 'open-case',
  planInventory: 'plan-inventory',
  inventoryLogs: 'inventory-logs',
  mergeInventory: 'merge-inventory',
  fileAccountFailure: 'file-account-failure',
  startLogExport: 'start-log-export',
  checkLogExport: 'check-log-export',
  createTables: 'create-tables',
  listExportBatch: 'list-export-batch',
  recordExportBatch: 'record-export-batch',
  runHunt: 'run-hunt',
  traceStory: 'trace-story',
  fileHuntFailure: 'file-hunt-failure',
  buildReport: 'build-report',
  writeManifest: 'write-manifest',
  recordCaseFailure: 'record-case-failure',
  recordFailedExecution: 'record-failed-execution',
  startInvestigation: 'investigations-api',
  readInvestigation: 'investigations-api',
  startFromGuardDuty: 'start-from-guardduty',
  runScheduledCase: 'run-scheduled-case',
} as const;
type FunctionKey = keyof typeof functions;
const functionKeys = Object.keys(functions) as FunctionKey[];
const capitalised = (key: string) => key[0]?.toUpperCase() + key.slice(1);
const lambdaId = (key: FunctionKey) => `${capitalised(key)}LambdaFunction`;
const roleId = (key: FunctionKey) => `${capitalised(key)}Role`;
// The API functions check requested hunt ids against the library.
const huntLibraryFunctions: FunctionKey[] = [
  'createTables',
  'runHunt',
  'fileHuntFailure',
  'buildReport',
  'startInvestigation',
  'readInvestigation',
];

/** Every statement a role is granted: its inline policies and the managed policies of this stack. */
function statements(role: string): Statement[] {
  const properties = resource(role, 'AWS::IAM::Role').Properties as {
    Policies?: { PolicyDocument: { Statement: Statement[] } }[];
    ManagedPolicyArns?: { Ref: string }[];
  };
  const inline = (properties.Policies ?? []).flatMap((policy) =>
    policy.PolicyDocument.Statement.map(granted),
  );
  const managed = (properties.ManagedPolicyArns ?? []).flatMap((arn) => {
    const policy = resource(arn.Ref, 'AWS::IAM::ManagedPolicy');
    return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  });
  return [...inline, ...managed];
}

/**
 * A statement under `Fn::If` counts as granted, as in a deployment whose parameters make the condition
 * true: the checks hold for the most a role can be given.
 */
function granted(statement: Statement | { 'Fn::If': [string, Statement, unknown] }): Statement {
  return 'Fn::If' in statement ? statement['Fn::If'][1] : statement;
}

const actionsOf = (role: string) => new Set(statements(role).flatMap((s) => asList(s.Action)));
const grantsOf = (role: string, action: string) =>
  statements(role)
    .filter((s) => s.Effect === 'Allow' && asList(s.Action).includes(action))
    .flatMap((s) => asList(s.Resource));
const caseFolders = { 'Fn::Join': ['', [arnOf('CaseBucket'), '/cases/*']] };
const caseFile = (path: string) => ({ 'Fn::Join': ['', [arnOf('CaseBucket'), `/cases/*/${path}`]] });

/**
 * The case files each step writes (shared/workflow/, through caseFolderLayout): a role may write
 * these and no other object of a case folder, so no step can rewrite another's evidence.
 */
const caseFileWrites: Record<FunctionKey, string[]> = {
  openCase: ['case.json', 'allowlist.json', 'sigma/*', 'claim.json'],
  planInventory: [],
  inventoryLogs: ['inventory/*'],
  mergeInventory: ['inventory.json', 'inventory-files.jsonl'],
  fileAccountFailure: ['inventory/*'],
  listExportBatch: [],
  // CreateExportTask needs the caller to be allowed to write what CloudWatch Logs will write.
  startLogExport: ['exports/*'],
  checkLogExport: [],
  recordExportBatch: ['export-outcomes/*'],
  createTables: ['tables.json', 'file-records.jsonl', 'quarantine/*', 'athena-estimate.json', 'one-pass/*'],
  runHunt: ['hunts/*'],
  traceStory: ['lineage.json', 'pivots.json', 'open-items.json', 'log-gaps.json'],
  fileHuntFailure: ['hunts/*'],
  buildReport: [
    'hunts/*',
    'summary.json',
    'scan-cost.json',
    'report.md',
    'report.html',
    'attack-layer.json',
    'timeline.csv',
    'case.json',
    'new-hits.json',
  ],
  // The manifest's own SHA-256 goes into case.json.
  writeManifest: ['manifest.json', 'manifest-inputs.jsonl', 'case.json'],
  recordCaseFailure: ['case.json'],
  recordFailedExecution: ['case.json'],
  startInvestigation: [],
  readInvestigation: [],
  startFromGuardDuty: [],
  runScheduledCase: [],
};
const athenaResults = { 'Fn::Join': ['', [arnOf('CaseBucket'), '/athena-results/*']] };
const accountId = ref('AWS::AccountId');
/** The log groups of this account in the stack's region: what CloudWatch Logs may export for. */
const ownLogGroups = {
  StringEquals: { 'aws:SourceAccount': accountId },
  ArnLike: {
    'aws:SourceArn': {
      'Fn::Join': [
        ':',
        ['arn', ref('AWS::Partition'), 'logs', ref('AWS::Region'), accountId, 'log-group', '*'],
      ],
    },
  },
};
const cloudWatchLogsPrincipals = {
  Service: ['logs.amazonaws.com', { 'Fn::Join': ['', ['logs.', ref('AWS::Region'), '.amazonaws.com']] }],
};

describe('the state machine', () => {
  const machine = resource('InvestigationStateMachine', 'AWS::StepFunctions::StateMachine');
  const [definitionText, substitutions] = (
    machine.Properties.DefinitionString as { 'Fn::Sub': [string, Json] }
  )['Fn::Sub'];
  const definition = JSON.parse(definitionText) as { States: Record<string, Json> };

  function taskStates(states: Record<string, Json>): [string, Json][] {
    return Object.entries(states).flatMap(([name, state]): [string, Json][] => {
      if (state.Type === 'Task') return [[name, state]];
      const processor = (state.ItemProcessor ?? state.Iterator) as
        | { States: Record<string, Json> }
        | undefined;
      const branches = (state.Branches ?? []) as { States: Record<string, Json> }[];
      return [
        ...(processor ? taskStates(processor.States) : []),
        ...branches.flatMap((b) => taskStates(b.States)),
      ];
    });
  }
  const tasks = taskStates(definition.States);

  it('resolves the Lambda ARN of every Task, including those inside the Map', () => {
    expect(tasks.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'OpenCase',
        'PlanInventory',
        'InventoryAccount',
        'FileAccountFailure',
        'MergeInventory',
        'ListExportBatch',
        'StartLogExport',
        'CheckLogExport',
        'RecordExportBatch',
        'CreateTables',
        'RunHunt',
        'FileHuntFailure',
        'BuildReport',
        'WriteManifest',
      ]),
    );
    for (const [name, state] of tasks) {
      const placeholder = /^\$\{(\w+)\}$/.exec(String(state.Resource));
      expect(placeholder, `${name} has no substituted Resource`).not.toBeNull();
      const target = substitutions[placeholder?.[1] ?? ''] as { 'Fn::GetAtt': [string, string] };
      expect(target, `${name}'s Resource substitution`).toEqual({
        'Fn::GetAtt': [expect.any(String), 'Arn'],
      });
      expect(resources[target['Fn::GetAtt'][0]]?.Type).toBe('AWS::Lambda::Function');
    }
    expect(definitionText).not.toContain('Fn::GetAtt');
  });

  it('may invoke exactly the functions its Tasks name', () => {
    const role = (machine.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const invocable = grantsOf(role, 'lambda:InvokeFunction').filter(
      (grant): grant is { 'Fn::GetAtt': [string, string] } =>
        typeof grant === 'object' && grant !== null && 'Fn::GetAtt' in grant,
    );
    const taskFunctions = new Set(
      tasks.map(([, state]) => {
        const key = /^\$\{(\w+)\}$/.exec(String(state.Resource))?.[1] ?? '';
        return (substitutions[key] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      }),
    );
    expect(new Set(invocable.map((grant) => grant['Fn::GetAtt'][0]))).toEqual(taskFunctions);
    expect(taskFunctions.has(lambdaId('startInvestigation'))).toBe(false);
    expect(taskFunctions).toContain(lambdaId('startLogExport'));
    expect(taskFunctions).toContain(lambdaId('checkLogExport'));
  });

  it('starts and checks exports inside the batches of the distributed export Map, one group at a time', () => {
    type MapState = { MaxConcurrency: number; ItemProcessor: { States: Record<string, Json> } };
    const exportMap = definition.States.ExportCloudWatchLogs as MapState;
    const groups = exportMap.ItemProcessor.States.ExportGroups as MapState;
    expect(exportMap.MaxConcurrency).toBe(1);
    expect(groups.MaxConcurrency).toBe(1);
    const resourceOf = (states: Record<string, Json>, state: string) => {
      const key = /^\$\{(\w+)\}$/.exec(String(states[state]?.Resource))?.[1] ?? '';
      return substitutions[key];
    };
    expect(resourceOf(exportMap.ItemProcessor.States, 'ListExportBatch')).toEqual(
      arnOf(lambdaId('listExportBatch')),
    );
    expect(resourceOf(groups.ItemProcessor.States, 'StartLogExport')).toEqual(
      arnOf(lambdaId('startLogExport')),
    );
    expect(resourceOf(groups.ItemProcessor.States, 'CheckLogExport')).toEqual(
      arnOf(lambdaId('checkLogExport')),
    );
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html#dist-map-permissions
  it('may start, describe and stop the child executions of its distributed Map, and only its own', () => {
    const role = (machine.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(grantsOf(role, 'states:StartExecution').length).toBeGreaterThan(0);
    expect(JSON.stringify(grantsOf(role, 'states:StartExecution'))).toContain('investigation');
    expect(grantsOf(role, 'states:StartExecution')).not.toContain('*');
  });

  it('logs to its own log group', () => {
    expect(machine.Properties.LoggingConfiguration).toMatchObject({
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: arnOf('InvestigationStateMachineLogGroup') } }],
    });
  });
});

describe('the functions', () => {
  it.each(functionKeys)(
    '%s runs functions/<file>.handler on nodejs22.x arm64 with a role of its own',
    (key) => {
      const properties = resource(lambdaId(key), 'AWS::Lambda::Function').Properties;
      expect(properties).toMatchObject({
        Handler: `functions/${functions[key]}.handler`,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Role: arnOf(roleId(key)),
      });
      expect((properties.Environment as { Variables: Json }).Variables).toMatchObject({
        CASE_BUCKET: ref('CaseBucket'),
        CASE_PREFIX: 'cases/',
        ATHENA_WORKGROUP: ref('AthenaWorkGroup'),
        ATHENA_DATABASE_PREFIX: 'casefile_',
        INVENTORY_REGIONS: 'us-east-1',
      });
    },
  );

  it('gives startInvestigation the state machine to start', () => {
    const variables = (
      resource(lambdaId('startInvestigation'), 'AWS::Lambda::Function').Properties.Environment as {
        Variables: Json;
      }
    ).Variables;
    expect(variables.STATE_MACHINE_ARN).toEqual(ref('InvestigationStateMachine'));
  });

  it('routes POST /investigations to startInvestigation, for IAM-signed callers only', () => {
    const route = resource('HttpApiRoutePostInvestigations', 'AWS::ApiGatewayV2::Route').Properties;
    expect(route).toMatchObject({ RouteKey: 'POST /investigations', AuthorizationType: 'AWS_IAM' });
    const integration = resource(
      'HttpApiIntegrationStartInvestigation',
      'AWS::ApiGatewayV2::Integration',
    ).Properties;
    expect(integration.IntegrationUri).toEqual(arnOf(lambdaId('startInvestigation')));
  });

  it('routes the reads of api/openapi.yaml to readInvestigation, for IAM-signed callers only', () => {
    const routes = Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties as { RouteKey: string; AuthorizationType: string });
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([
      'GET /investigations/{caseId}',
      'GET /investigations/{caseId}/hunts/{huntId}',
      'GET /investigations/{caseId}/report',
      'POST /investigations',
    ]);
    for (const route of routes) expect(route.AuthorizationType).toBe('AWS_IAM');
    const integration = resource(
      'HttpApiIntegrationReadInvestigation',
      'AWS::ApiGatewayV2::Integration',
    ).Properties;
    expect(integration.IntegrationUri).toEqual(arnOf(lambdaId('readInvestigation')));
  });

  it('lets readInvestigation read case folders (all its presigned download links can reach) and describe executions, and write nothing', () => {
    const role = roleId('readInvestigation');
    expect(actionsOf(role)).toEqual(
      new Set([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetObject',
        's3:ListBucket',
        'kms:Decrypt',
        'states:DescribeExecution',
      ]),
    );
    expect(grantsOf(role, 's3:GetObject')).toEqual([
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['CaseBucket', 'Arn'] }, '/cases/*']] },
    ]);
  });
});

describe('the case bucket', () => {
  const bucket = resource('CaseBucket', 'AWS::S3::Bucket');

  it('is encrypted with the case key, versioned, private, owner-enforced and kept when the stack goes', () => {
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf('CaseKey') },
            BucketKeyEnabled: true,
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(resource('CaseKey', 'AWS::KMS::Key').Properties.EnableKeyRotation).toBe(true);
  });

  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-objectlockconfiguration.html
  it('can lock every case object in governance mode for the configured days, off unless a deployment asks', () => {
    expect(bucket.Properties.ObjectLockEnabled).toEqual({
      'Fn::If': ['HasCaseObjectLock', true, ref('AWS::NoValue')],
    });
    expect(bucket.Properties.ObjectLockConfiguration).toEqual({
      'Fn::If': [
        'HasCaseObjectLock',
        { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: '0' } } },
        ref('AWS::NoValue'),
      ],
    });
    // osls packaged the default, 0 days: the condition is false and the bucket has no lock.
    expect(template.Conditions?.HasCaseObjectLock).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['0', '0'] }] });
  });

  it('refuses every request without TLS, to the bucket and to its objects', () => {
    const policy = resource('CaseBucketPolicy', 'AWS::S3::BucketPolicy').Properties;
    expect(policy.Bucket).toEqual(ref('CaseBucket'));
    const statement = (policy.PolicyDocument as { Statement: Statement[] }).Statement.find(
      (s) =>
        s.Effect === 'Deny' && JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}',
    );
    expect(statement).toMatchObject({ Principal: '*', Action: 's3:*' });
    expect(statement?.Resource).toEqual([
      arnOf('CaseBucket'),
      { 'Fn::Join': ['', [arnOf('CaseBucket'), '/*']] },
    ]);
  });

  it('lets CloudWatch Logs write exports of this account and region into case export folders only', () => {
    const statements = (
      resource('CaseBucketPolicy', 'AWS::S3::BucketPolicy').Properties.PolicyDocument as {
        Statement: Statement[];
      }
    ).Statement.filter((s) => JSON.stringify(s.Principal ?? '').includes('logs.'));
    expect(statements).toEqual([
      {
        Sid: 'CloudWatchLogsExportAclCheck',
        Effect: 'Allow',
        Principal: cloudWatchLogsPrincipals,
        Action: 's3:GetBucketAcl',
        Resource: arnOf('CaseBucket'),
        Condition: ownLogGroups,
      },
      {
        Sid: 'CloudWatchLogsExportWrite',
        Effect: 'Allow',
        Principal: cloudWatchLogsPrincipals,
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [arnOf('CaseBucket'), '/cases/*/exports/*']] },
        Condition: {
          StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': accountId },
          ArnLike: ownLogGroups.ArnLike,
        },
      },
    ]);
  });

  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/S3ExportTasks.html: the key policy AWS
  // documents for exports into an SSE-KMS bucket, with no condition AWS does not document for it.
  it("lets this region's CloudWatch Logs use the case key for exports, in the documented shape", () => {
    const keyPolicy = resource('CaseKey', 'AWS::KMS::Key').Properties.KeyPolicy as { Statement: Statement[] };
    expect(keyPolicy.Statement.filter((s) => JSON.stringify(s.Principal ?? '').includes('logs.'))).toEqual([
      {
        Sid: 'CloudWatchLogsExports',
        Effect: 'Allow',
        Principal: { Service: { 'Fn::Join': ['', ['logs.', ref('AWS::Region'), '.amazonaws.com']] } },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
      },
    ]);
  });
});

// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html: States.ALL does
// not catch States.DataLimitExceeded or States.Runtime, so a case is closed from outside its execution.
describe('the rule on failed executions', () => {
  const rule = resource('FailedExecutionRule', 'AWS::Events::Rule').Properties;

  it("sends this state machine's FAILED, TIMED_OUT and ABORTED executions to recordFailedExecution", () => {
    expect(rule.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        stateMachineArn: [ref('InvestigationStateMachine')],
      },
    });
    expect(rule.Targets).toEqual([
      expect.objectContaining({ Arn: arnOf(lambdaId('recordFailedExecution')) }),
    ]);
  });

  it('may invoke that function, and only from this rule', () => {
    expect(resource('FailedExecutionRulePermission', 'AWS::Lambda::Permission').Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: ref(lambdaId('recordFailedExecution')),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf('FailedExecutionRule'),
    });
  });
});

describe('the Athena workgroup', () => {
  it('enforces encrypted results in the case bucket, publishes metrics and caps the bytes a query scans', () => {
    const configuration = resource('AthenaWorkGroup', 'AWS::Athena::WorkGroup').Properties
      .WorkGroupConfiguration as Json;
    expect(configuration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      PublishCloudWatchMetricsEnabled: true,
      EngineVersion: { SelectedEngineVersion: 'AUTO' },
      ResultConfiguration: {
        OutputLocation: { 'Fn::Join': ['', ['s3://', ref('CaseBucket'), '/athena-results/']] },
        EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: arnOf('CaseKey') },
      },
    });
    // Athena's minimum is 10 MB; the default is 100 GiB.
    expect(configuration.BytesScannedCutoffPerQuery).toBe(100 * 1024 ** 3);
  });
});

describe('the function roles', () => {
  it.each(functionKeys)('%s writes only to its own log group and is granted no wildcard action', (key) => {
    expect(grantsOf(roleId(key), 'logs:PutLogEvents')).toEqual([arnOf(`${capitalised(key)}LogGroup`)]);
    for (const action of actionsOf(roleId(key))) expect(action).not.toMatch(/^\*$|:\*$/);
  });

  it('lets the inventory make exactly the read-only calls it makes, and write only the case folder', () => {
    const role = roleId('inventoryLogs');
    const caseFolder = [
      's3:GetObject',
      's3:PutObject',
      's3:ListBucket',
      'kms:Decrypt',
      'kms:GenerateDataKey',
    ];
    expect(actionsOf(role)).toEqual(
      new Set([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        ...caseFolder,
        ...inventoryIamActions,
        'sts:AssumeRole',
      ]),
    );
    expect(inventoryIamActions).toEqual(
      expect.arrayContaining([
        'cloudtrail:ListTrails',
        'cloudtrail:DescribeTrails',
        'cloudtrail:GetTrailStatus',
        'cloudtrail:GetEventSelectors',
        'logs:DescribeLogGroups',
        'ec2:DescribeFlowLogs',
        'ec2:DescribeVpcs',
        'route53resolver:ListResolverQueryLogConfigs',
        'route53resolver:ListResolverQueryLogConfigAssociations',
        's3:ListAllMyBuckets',
        's3:GetBucketLogging',
        's3:GetBucketLocation',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeLoadBalancerAttributes',
        'cloudfront:ListDistributions',
        'cloudfront:GetDistributionConfig',
        'wafv2:ListWebACLs',
        'wafv2:GetLoggingConfiguration',
        'eks:ListClusters',
        'eks:DescribeCluster',
        'guardduty:ListDetectors',
        'guardduty:GetDetector',
        'guardduty:ListPublishingDestinations',
        'guardduty:DescribePublishingDestination',
        'securityhub:DescribeHub',
        'config:DescribeConfigurationRecorders',
        'config:DescribeConfigurationRecorderStatus',
        'cloudtrail:ListEventDataStores',
        'cloudtrail:GetEventDataStore',
        'logs:DescribeSubscriptionFilters',
      ]),
    );
    for (const action of actionsOf(role)) {
      if (caseFolder.includes(action) || action === 'logs:PutLogEvents' || action === 'logs:CreateLogStream')
        continue;
      expect(action, 'a write action').toMatch(/^[a-z0-9-]+:(List|Describe|Get)[A-Za-z]+$|^sts:AssumeRole$/);
    }
    expect(grantsOf(role, 's3:PutObject')).toEqual([caseFile('inventory/*')]);
    expect(grantsOf(role, 's3:GetObject')).toEqual([caseFolders]);
    // Bucket settings of every bucket, none of their objects.
    const buckets = { 'Fn::Join': ['', ['arn:', ref('AWS::Partition'), ':s3:::*']] };
    expect(grantsOf(role, 's3:GetBucketLogging')).toEqual([buckets]);
    expect(grantsOf(role, 's3:GetBucketLocation')).toEqual([buckets]);
  });

  it('lets the inventory assume the configured read-only roles and no other, and only when some are', () => {
    const role = roleId('inventoryLogs');
    // osls packaged the default: no role.
    expect(grantsOf(role, 'sts:AssumeRole')).toEqual([{ 'Fn::Split': [',', ''] }]);
    expect(template.Conditions?.HasInventoryRoles).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    const policies = resource(role, 'AWS::IAM::Role').Properties.Policies as {
      PolicyDocument: { Statement: object[] };
    }[];
    expect(JSON.stringify(policies)).toContain('{"Fn::If":["HasInventoryRoles",{"Sid":"InventoryRoles"');
    expect(JSON.stringify(policies)).toContain('{"Ref":"AWS::NoValue"}');
    const variables = (
      resource(lambdaId('inventoryLogs'), 'AWS::Lambda::Function').Properties.Environment as {
        Variables: Json;
      }
    ).Variables;
    expect(variables).toMatchObject({ INVENTORY_ROLE_ARNS: '', CASE_ACCOUNT_ID: ref('AWS::AccountId') });
  });

  it("lets startLogExport export this account's log groups in this region, and write only the export it asks for", () => {
    const role = roleId('startLogExport');
    expect(actionsOf(role)).toEqual(
      new Set([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:CreateExportTask',
        's3:GetObject',
        's3:PutObject',
        'kms:Decrypt',
        'kms:GenerateDataKey',
      ]),
    );
    // The destination bucket must be in the log group's region (CreateExportTask, `destination`).
    expect(grantsOf(role, 'logs:CreateExportTask')).toEqual([
      {
        'Fn::Join': [
          ':',
          ['arn', ref('AWS::Partition'), 'logs', ref('AWS::Region'), accountId, 'log-group', '*'],
        ],
      },
    ]);
    expect(grantsOf(role, 's3:GetObject')).toEqual([caseFile('inventory.json')]);
    expect(grantsOf(role, 's3:PutObject')).toEqual([caseFile('exports/*')]);
    expect(grantsOf(role, 'kms:GenerateDataKey')).toEqual([arnOf('CaseKey')]);
  });

  it('lets checkLogExport only describe export tasks', () => {
    const role = roleId('checkLogExport');
    expect(actionsOf(role)).toEqual(
      new Set(['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeExportTasks']),
    );
    expect(grantsOf(role, 'logs:DescribeExportTasks')).toEqual(['*']);
  });

  it.each(['createTables', 'runHunt', 'traceStory'] as const)(
    '%s may query in the workgroup only, keep results, and read the log buckets',
    (key) => {
      const role = roleId(key);
      for (const action of [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:GetQueryRuntimeStatistics',
        'athena:StopQueryExecution',
      ]) {
        expect(JSON.stringify(grantsOf(role, action)), action).toContain(
          '":workgroup/",{"Ref":"AthenaWorkGroup"}',
        );
      }
      expect(grantsOf(role, 's3:PutObject')).toEqual(
        expect.arrayContaining([athenaResults, ...caseFileWrites[key].map(caseFile)]),
      );
      expect(grantsOf(role, 's3:PutObject')).toHaveLength(1 + caseFileWrites[key].length);
      // The log buckets the deployment names (a placeholder when packaged for the tests), never all.
      expect(JSON.stringify(grantsOf(role, 's3:GetObject'))).toContain(
        '"arn:aws:s3:::casefile-test-trail-logs"',
      );
      expect(JSON.stringify(grantsOf(role, 'glue:GetTable'))).toContain('table/casefile_*/*');
    },
  );

  it('lets only createTables change the catalog, and only in case databases', () => {
    expect(actionsOf(roleId('runHunt'))).not.toContain('glue:CreateTable');
    expect(actionsOf(roleId('runHunt'))).not.toContain('glue:DeleteTable');
    expect(actionsOf(roleId('traceStory'))).not.toContain('glue:CreateTable');
    const changes = grantsOf(roleId('createTables'), 'glue:DeleteTable');
    expect(JSON.stringify(changes)).not.toContain('database/default');
    expect(JSON.stringify(grantsOf(roleId('createTables'), 'glue:GetDatabase'))).toContain(
      'database/default',
    );
  });

  it.each([
    'openCase',
    'mergeInventory',
    'fileAccountFailure',
    'listExportBatch',
    'recordExportBatch',
    'fileHuntFailure',
    'buildReport',
    'writeManifest',
    'recordCaseFailure',
    'recordFailedExecution',
  ] as const)('%s touches nothing but the case folder, and writes only its own case files', (key) => {
    const writes = caseFileWrites[key];
    expect(actionsOf(roleId(key))).toEqual(
      new Set([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetObject',
        's3:ListBucket',
        'kms:Decrypt',
        ...(writes.length > 0 ? ['s3:PutObject', 'kms:GenerateDataKey'] : []),
      ]),
    );
    expect(grantsOf(roleId(key), 's3:PutObject')).toEqual(writes.map(caseFile));
  });

  it('lets planInventory only write its logs: listing accounts reads no case file', () => {
    expect(actionsOf(roleId('planInventory'))).toEqual(
      new Set(['logs:CreateLogStream', 'logs:PutLogEvents']),
    );
  });

  it.each(functionKeys)(
    '%s may read no object of every bucket, and write case files only as its step does',
    (key) => {
      for (const grant of [
        ...grantsOf(roleId(key), 's3:GetObject'),
        ...grantsOf(roleId(key), 's3:PutObject'),
      ]) {
        expect(JSON.stringify(grant)).not.toMatch(/^"\*"$|arn:aws:s3:::\*/);
      }
      const caseWrites = grantsOf(roleId(key), 's3:PutObject').filter((g) =>
        JSON.stringify(g).includes('/cases/'),
      );
      expect(caseWrites).toEqual(caseFileWrites[key].map(caseFile));
    },
  );

  it.each([
    ['startInvestigation', ['scheduler:CreateSchedule', 'iam:PassRole']],
    // case.json says which run of the case comes next, and which finding versions it ran for.
    ['startFromGuardDuty', ['s3:GetObject', 's3:ListBucket', 'kms:Decrypt']],
    ['runScheduledCase', ['s3:GetObject', 's3:ListBucket', 'kms:Decrypt']],
  ] as const)('lets %s start and describe executions of this state machine only', (key, more) => {
    const role = roleId(key);
    expect(actionsOf(role)).toEqual(
      new Set([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'states:StartExecution',
        'states:DescribeExecution',
        ...more,
      ]),
    );
    expect(grantsOf(role, 'states:StartExecution')).toEqual([ref('InvestigationStateMachine')]);
    expect(JSON.stringify(grantsOf(role, 'states:DescribeExecution'))).toContain(
      '":execution:",{"Fn::GetAtt":["InvestigationStateMachine","Name"]},":*"',
    );
  });

  it('opens investigations from GuardDuty findings at or above the configured severity', () => {
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
    const rule = rules.find((r) =>
      JSON.stringify(r.Properties.Targets).includes(lambdaId('startFromGuardDuty')),
    );
    expect(rule?.Properties.EventPattern).toEqual({
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      detail: { severity: [{ numeric: ['>=', 7] }] },
    });
    const environment = (
      resource(lambdaId('startFromGuardDuty'), 'AWS::Lambda::Function').Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(environment).toMatchObject({
      STATE_MACHINE_ARN: ref('InvestigationStateMachine'),
      GUARDDUTY_MIN_SEVERITY: '7',
    });
  });
});

describe('the schedules of re-runs (EventBridge Scheduler)', () => {
  const group = resource('CaseScheduleGroup', 'AWS::Scheduler::ScheduleGroup');
  const environment = (
    resource(lambdaId('startInvestigation'), 'AWS::Lambda::Function').Properties.Environment as {
      Variables: Json;
    }
  ).Variables;

  it("live in casefile's own schedule group, which the starter is told of with the target and the role", () => {
    expect(group.Properties.Name).toBe('casefile-test');
    expect(environment).toMatchObject({
      SCHEDULE_GROUP: ref('CaseScheduleGroup'),
      RERUN_FUNCTION_ARN: arnOf(lambdaId('runScheduledCase')),
      SCHEDULER_ROLE_ARN: arnOf('CaseSchedulerRole'),
    });
  });

  it('are created by the starter in that group only, and the role it passes is the scheduler role, to Scheduler only', () => {
    const role = roleId('startInvestigation');
    expect(JSON.stringify(grantsOf(role, 'scheduler:CreateSchedule'))).toContain(
      '":schedule/",{"Ref":"CaseScheduleGroup"},"/*"',
    );
    expect(actionsOf(role)).not.toContain('scheduler:DeleteScheduleGroup');
    const pass = statements(role).filter((s) => asList(s.Action).includes('iam:PassRole'));
    expect(pass).toEqual([
      expect.objectContaining({
        Resource: arnOf('CaseSchedulerRole'),
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    ]);
  });

  it("run as a role Scheduler assumes for this account's schedules, allowed to invoke runScheduledCase and nothing else", () => {
    const properties = resource('CaseSchedulerRole', 'AWS::IAM::Role').Properties as {
      AssumeRolePolicyDocument: { Statement: Statement[] };
    };
    expect(properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ]);
    expect(actionsOf('CaseSchedulerRole')).toEqual(new Set(['lambda:InvokeFunction']));
    expect(grantsOf('CaseSchedulerRole', 'lambda:InvokeFunction')).toEqual([
      arnOf(lambdaId('runScheduledCase')),
    ]);
  });
});

/** The entries of a zip file (no zip64: function zips are far smaller), read from its central directory. */
function readZip(path: string): Map<string, () => Buffer> {
  const zip = readFileSync(path);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${path} is not a zip file.`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries = new Map<string, () => Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(offset + 10);
    const size = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const skip = nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
    const local = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.set(name, () => {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return method === 8 ? inflateRawSync(data) : Buffer.from(data);
    });
    offset += 46 + skip;
  }
  return entries;
}

describe('the function packages', () => {
  const zips = new Map(functionKeys.map((key) => [key, readZip(join(output, `${key}.zip`))]));
  const libraryDir = join(root, 'shared', 'hunts', 'library');
  const huntFiles = readdirSync(libraryDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => `shared/hunts/library/${file.split('\\').join('/')}`);

  it.each(functionKeys)('%s holds its handler as an ESM bundle that can require()', (key) => {
    const bundle = zips.get(key)?.get(`functions/${functions[key]}.mjs`);
    expect(bundle, `functions/${functions[key]}.mjs`).toBeDefined();
    expect(bundle?.().toString('utf8', 0, 200)).toContain('const require = createRequire(import.meta.url);');
  });

  it.each(huntLibraryFunctions)('%s ships every hunt file under shared/hunts/library/', (key) => {
    expect(huntFiles.length).toBeGreaterThan(0);
    expect([...(zips.get(key)?.keys() ?? [])].filter((name) => name.startsWith('shared/'))).toEqual(
      expect.arrayContaining(huntFiles),
    );
  });

  it.each(functionKeys)(
    '%s bundles no local-only code: DuckDB, the embedded engine, tsx, shared/local',
    (key) => {
      const entries = zips.get(key) ?? new Map<string, () => Buffer>();
      for (const [name, read] of entries) {
        expect(name).not.toMatch(/duckdb|aws-local-stepfunctions|(^|\/)tsx\/|shared\/local\//);
        if (!name.endsWith('.mjs')) continue;
        // Unminified esbuild output marks each bundled module with a `// <path>` comment.
        const modules = read()
          .toString('utf8')
          .split('\n')
          .filter((line) => line.startsWith('// '));
        expect(modules.length).toBeGreaterThan(10);
        expect(
          modules.filter((line) =>
            /@duckdb|aws-local-stepfunctions|node_modules\/tsx\/|shared\/local\//.test(line),
          ),
        ).toEqual([]);
      }
      if (!huntLibraryFunctions.includes(key)) {
        expect([...entries.keys()].filter((name) => name.startsWith('shared/'))).toEqual([]);
      }
    },
  );
});

describe('the package scripts', () => {
  it('call osls, never serverless or sls (v4 asks for a login)', () => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const script of Object.values(scripts)) expect(script).not.toMatch(/(^|[\s&;|])(serverless|sls)\s/);
  });
});
