import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  AccessDeniedException,
  CloudTrailClient,
  CloudTrailServiceException,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  type GetEventSelectorsCommandOutput,
  GetTrailStatusCommand,
  type GetTrailStatusCommandOutput,
  ListTrailsCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  type LogGroup,
  AccessDeniedException as LogsAccessDeniedException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  GetObjectCommand,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsLogInventory, type AwsLogInventoryOptions } from '../../../shared/aws/aws-log-inventory.js';
import { openCaseContext } from '../../../shared/domain/case.js';
import type { ExportOutcome } from '../../../shared/domain/log-exports.js';
import { TransientServiceError } from '../../../shared/errors.js';

const ACCOUNT = '111122223333';
const MEMBER = '444455556666';
const ORG = 'o-exampleorgid';
const context = openCaseContext({ caseId: 'case-1' }, 'athena', new Date('2024-05-01T00:00:00Z'));
const now = () => new Date('2024-05-02T10:00:00Z');

type CloudTrailMock = AwsClientStub<CloudTrailClient>;
type LogsMock = AwsClientStub<CloudWatchLogsClient>;
const s3 = mockClient(S3Client);
let cloudTrail: Map<string, { client: CloudTrailClient; mock: CloudTrailMock }>;
let cloudWatchLogs: Map<string, { client: CloudWatchLogsClient; mock: LogsMock }>;

/**
 * One CloudTrail and one CloudWatch Logs client per region, each with its own mock, as the factories
 * hand them out. Every region starts without log groups.
 */
function regionClients(...regions: string[]) {
  cloudTrail = new Map(
    regions.map((region) => {
      const client = new CloudTrailClient({ region });
      return [region, { client, mock: mockClient(client) }];
    }),
  );
  cloudWatchLogs = new Map(
    regions.map((region) => {
      const client = new CloudWatchLogsClient({ region });
      const mock = mockClient(client);
      mock.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
      return [region, { client, mock }];
    }),
  );
}

function ct(region: string): CloudTrailMock {
  const entry = cloudTrail.get(region);
  if (!entry) throw new Error(`no client for ${region}`);
  return entry.mock;
}

function cwl(region: string): LogsMock {
  const entry = cloudWatchLogs.get(region);
  if (!entry) throw new Error(`no client for ${region}`);
  return entry.mock;
}

/** CloudTrail and CloudWatch Logs only: each other service has its tests in inventory/. */
function inventory(regions: string[], options: Partial<AwsLogInventoryOptions> = {}) {
  return new AwsLogInventory({
    regions,
    services: [],
    cloudTrailClient: (region) => {
      const entry = cloudTrail.get(region);
      if (!entry) throw new Error(`the inventory asked for a CloudTrail client in ${region}`);
      return entry.client;
    },
    cloudWatchLogsClient: (region) => {
      const entry = cloudWatchLogs.get(region);
      if (!entry) throw new Error(`the inventory asked for a CloudWatch Logs client in ${region}`);
      return entry.client;
    },
    now,
    ...options,
  });
}

/** A trailList entry as DescribeTrails returns it. */
function trail(name: string, fields: Partial<Trail> = {}): Trail & { TrailARN: string } {
  const homeRegion = fields.HomeRegion ?? 'us-east-1';
  return {
    Name: name,
    S3BucketName: 'acme-cloudtrail-logs',
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: true,
    HomeRegion: homeRegion,
    TrailARN: `arn:aws:cloudtrail:${homeRegion}:${ACCOUNT}:trail/${name}`,
    LogFileValidationEnabled: true,
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
    IsOrganizationTrail: false,
    ...fields,
  };
}

const trailInfo = (t: Trail) => ({ TrailARN: t.TrailARN, Name: t.Name, HomeRegion: t.HomeRegion });

function logging(fields: Partial<GetTrailStatusCommandOutput> = {}): Partial<GetTrailStatusCommandOutput> {
  return {
    IsLogging: true,
    LatestDeliveryTime: new Date('2024-05-02T09:55:00Z'),
    StartLoggingTime: new Date('2023-01-10T08:00:00Z'),
    LatestDigestDeliveryTime: new Date('2024-05-02T09:00:00Z'),
    TimeLoggingStarted: '2023-01-10T08:00:00Z',
    ...fields,
  };
}

const basicSelectors = (t: Trail): Partial<GetEventSelectorsCommandOutput> => ({
  TrailARN: t.TrailARN,
  EventSelectors: [
    {
      ReadWriteType: 'All',
      IncludeManagementEvents: true,
      DataResources: [],
      ExcludeManagementEventSources: [],
    },
  ],
});

/**
 * A bucket that answers ListObjectsV2 with a Delimiter the way S3 does: the distinct "folders" one level
 * below the prefix as CommonPrefixes, `pageSize` entries a page, continued by NextContinuationToken.
 */
function bucket(name: string, keys: string[], pageSize = 1000) {
  // The SDK paginator reuses one input object for every page, so the calls are recorded as they come.
  const requests: { prefix: string; token: string | undefined }[] = [];
  s3.on(ListObjectsV2Command, { Bucket: name }).callsFake((input: ListObjectsV2CommandInput) => {
    const prefix = input.Prefix ?? '';
    requests.push({ prefix, token: input.ContinuationToken });
    const folders = [
      ...new Set(
        keys
          .filter((key) => key.startsWith(prefix) && key.slice(prefix.length).includes('/'))
          .map((key) => `${prefix}${key.slice(prefix.length).split('/')[0]}/`),
      ),
    ].sort();
    const start = Number(input.ContinuationToken ?? 0);
    const page = folders.slice(start, start + pageSize);
    const more = start + pageSize < folders.length;
    const output: ListObjectsV2CommandOutput = {
      $metadata: { httpStatusCode: 200 },
      Name: name,
      Prefix: prefix,
      Delimiter: '/',
      MaxKeys: pageSize,
      KeyCount: page.length,
      IsTruncated: more,
      ...(page.length > 0 ? { CommonPrefixes: page.map((Prefix) => ({ Prefix })) } : {}),
      ...(more ? { NextContinuationToken: String(start + pageSize) } : {}),
      ...(input.ContinuationToken ? { ContinuationToken: input.ContinuationToken } : {}),
    };
    return output;
  });
  return requests;
}

const logFile = (root: string, account: string, region: string) =>
  `${root}${account}/CloudTrail/${region}/2024/05/01/${account}_CloudTrail_${region}_20240501T0000Z_abc.json.gz`;

function apiError(name: string, message: string, status = 400) {
  return new CloudTrailServiceException({
    name,
    message,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
}

beforeEach(() => {
  s3.reset();
});

describe('AwsLogInventory.discover', () => {
  it('finds a single-account multi-region trail once and the accounts and regions it delivered', async () => {
    regionClients('us-east-1', 'eu-west-1');
    const management = trail('management-events', { S3KeyPrefix: 'trails' });
    for (const region of ['us-east-1', 'eu-west-1']) {
      ct(region)
        .on(ListTrailsCommand)
        .resolves({ Trails: [trailInfo(management)] });
    }
    ct('us-east-1')
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [management] });
    ct('us-east-1').on(GetTrailStatusCommand).resolves(logging());
    ct('us-east-1').on(GetEventSelectorsCommand).resolves(basicSelectors(management));
    bucket('acme-cloudtrail-logs', [
      logFile('trails/AWSLogs/', ACCOUNT, 'us-east-1'),
      logFile('trails/AWSLogs/', ACCOUNT, 'eu-west-1'),
      `trails/AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2024/05/01/digest.json.gz`,
      `trails/AWSLogs/${ACCOUNT}/vpcflowlogs/us-east-1/2024/05/01/flow.log.gz`,
    ]);

    const result = await inventory(['us-east-1', 'eu-west-1']).discover(context);

    expect(ct('us-east-1')).toHaveReceivedCommandWith(DescribeTrailsCommand, {
      trailNameList: [management.TrailARN],
      includeShadowTrails: true,
    });
    expect(ct('eu-west-1')).not.toHaveReceivedCommand(DescribeTrailsCommand);
    expect(ct('us-east-1')).toHaveReceivedCommandWith(GetTrailStatusCommand, { Name: management.TrailARN });
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, {
      Bucket: 'acme-cloudtrail-logs',
      Prefix: 'trails/AWSLogs/',
      Delimiter: '/',
    });
    expect(result).toEqual({
      discoveredAt: '2024-05-02T10:00:00.000Z',
      sources: [
        {
          source: 'cloudtrail',
          location: 's3://acme-cloudtrail-logs/trails/',
          accounts: [ACCOUNT],
          regions: ['eu-west-1', 'us-east-1'],
          details: {
            trails: 'management-events',
            homeRegions: 'us-east-1',
            multiRegion: true,
            organizationTrail: false,
            logFileValidation: true,
            isLogging: true,
            startLoggingTime: '2023-01-10T08:00:00.000Z',
            managementEvents: 'All',
            dataEvents: 'None',
            s3DataEvents: false,
            lambdaDataEvents: false,
          },
        },
      ],
      skipped: [],
      notes: [],
      exports: [],
    });
  });

  it('reads the organisation layout and advanced event selectors of an organisation trail', async () => {
    regionClients('us-east-1');
    const org = trail('org-trail', {
      S3BucketName: 'org-log-archive',
      IsOrganizationTrail: true,
      KmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      HasCustomEventSelectors: true,
    });
    ct('us-east-1')
      .on(ListTrailsCommand)
      .resolves({ Trails: [trailInfo(org)] });
    ct('us-east-1')
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [org] });
    ct('us-east-1').on(GetTrailStatusCommand).resolves(logging());
    ct('us-east-1')
      .on(GetEventSelectorsCommand)
      .resolves({
        TrailARN: org.TrailARN,
        AdvancedEventSelectors: [
          {
            Name: 'Management events',
            FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
          },
          {
            Name: 'S3 object reads and writes',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            ],
          },
          {
            Name: 'Lambda invocations',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] },
            ],
          },
        ],
      });
    bucket('org-log-archive', [
      logFile(`AWSLogs/${ORG}/`, ACCOUNT, 'us-east-1'),
      logFile(`AWSLogs/${ORG}/`, MEMBER, 'us-east-1'),
      logFile(`AWSLogs/${ORG}/`, MEMBER, 'ap-southeast-2'),
    ]);

    const result = await inventory(['us-east-1']).discover(context);

    expect(result.sources).toEqual([
      {
        source: 'cloudtrail',
        location: 's3://org-log-archive/',
        accounts: [ACCOUNT, MEMBER],
        regions: ['ap-southeast-2', 'us-east-1'],
        organizationId: ORG,
        details: expect.objectContaining({
          trails: 'org-trail',
          organizationTrail: true,
          kmsKeyId: org.KmsKeyId,
          managementEvents: 'All',
          dataEvents: 'AWS::Lambda::Function, AWS::S3::Object',
          s3DataEvents: true,
          lambdaDataEvents: true,
        }),
      },
    ]);
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, { Prefix: `AWSLogs/${ORG}/` });
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, {
      Prefix: `AWSLogs/${ORG}/${MEMBER}/CloudTrail/`,
    });
  });

  it('follows NextToken of ListTrails and ContinuationToken of ListObjectsV2', async () => {
    regionClients('us-east-1');
    const first = trail('first', { S3BucketName: 'paged-logs' });
    const second = trail('second', { S3BucketName: 'paged-logs', IsMultiRegionTrail: false });
    ct('us-east-1')
      .on(ListTrailsCommand)
      .resolvesOnce({ Trails: [trailInfo(first)], NextToken: 'page-2' })
      .resolvesOnce({ Trails: [trailInfo(second)] });
    ct('us-east-1')
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [first, second] });
    ct('us-east-1').on(GetTrailStatusCommand).resolves(logging());
    ct('us-east-1').on(GetEventSelectorsCommand).resolves(basicSelectors(first));
    const regions = ['ap-northeast-1', 'eu-central-1', 'eu-west-1', 'us-east-1', 'us-west-2'];
    const requests = bucket(
      'paged-logs',
      regions.map((region) => logFile('AWSLogs/', ACCOUNT, region)),
      2,
    );

    const result = await inventory(['us-east-1']).discover(context);

    expect(ct('us-east-1')).toHaveReceivedCommandTimes(ListTrailsCommand, 2);
    expect(ct('us-east-1')).toHaveReceivedNthCommandWith(ListTrailsCommand, 2, { NextToken: 'page-2' });
    expect(ct('us-east-1')).toHaveReceivedCommandWith(DescribeTrailsCommand, {
      trailNameList: [first.TrailARN, second.TrailARN],
    });
    expect(requests).toEqual([
      { prefix: 'AWSLogs/', token: undefined },
      { prefix: `AWSLogs/${ACCOUNT}/CloudTrail/`, token: undefined },
      { prefix: `AWSLogs/${ACCOUNT}/CloudTrail/`, token: '2' },
      { prefix: `AWSLogs/${ACCOUNT}/CloudTrail/`, token: '4' },
    ]);
    expect(result.sources).toHaveLength(1);
    expect(result.sources[0]).toMatchObject({
      location: 's3://paged-logs/',
      regions,
      details: { trails: 'first, second', multiRegion: true },
    });
  });

  it('notes a denied GetEventSelectors and still inventories the trail', async () => {
    regionClients('us-east-1');
    const management = trail('management-events');
    ct('us-east-1')
      .on(ListTrailsCommand)
      .resolves({ Trails: [trailInfo(management)] });
    ct('us-east-1')
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [management] });
    ct('us-east-1').on(GetTrailStatusCommand).resolves(logging());
    ct('us-east-1')
      .on(GetEventSelectorsCommand)
      .rejects(
        new AccessDeniedException({
          message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/casefile-inventory/fn is not authorized to perform: cloudtrail:GetEventSelectors`,
          $metadata: { httpStatusCode: 400 },
        }),
      );
    bucket('acme-cloudtrail-logs', [logFile('AWSLogs/', ACCOUNT, 'us-east-1')]);

    const result = await inventory(['us-east-1']).discover(context);

    expect(result.sources).toHaveLength(1);
    expect(result.sources[0]?.details).toMatchObject({
      isLogging: true,
      eventSelectors: 'unknown: GetEventSelectors was not available for every trail',
    });
    expect(result.sources[0]?.details).not.toHaveProperty('managementEvents');
    expect(result.notes).toEqual([
      expect.stringMatching(
        /^CloudTrail GetEventSelectors for management-events was denied \(AccessDeniedException/,
      ),
    ]);
  });

  it('notes a region where CloudTrail is not offered or not enabled and goes on with the others', async () => {
    regionClients('us-east-1', 'me-south-1', 'xx-nowhere-1');
    const management = trail('management-events', { IsMultiRegionTrail: false });
    ct('me-south-1')
      .on(ListTrailsCommand)
      .rejects(
        apiError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
      );
    ct('xx-nowhere-1')
      .on(ListTrailsCommand)
      .rejects(
        Object.assign(new Error('getaddrinfo ENOTFOUND cloudtrail.xx-nowhere-1.amazonaws.com'), {
          code: 'ENOTFOUND',
        }),
      );
    ct('us-east-1')
      .on(ListTrailsCommand)
      .resolves({ Trails: [trailInfo(management)] });
    ct('us-east-1')
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [management] });
    ct('us-east-1').on(GetTrailStatusCommand).resolves(logging());
    ct('us-east-1').on(GetEventSelectorsCommand).resolves(basicSelectors(management));
    bucket('acme-cloudtrail-logs', [logFile('AWSLogs/', ACCOUNT, 'us-east-1')]);

    const result = await inventory(['me-south-1', 'us-east-1', 'xx-nowhere-1']).discover(context);

    expect(result.sources.map((s) => s.location)).toEqual(['s3://acme-cloudtrail-logs/']);
    expect(result.notes).toEqual([
      expect.stringMatching(
        /^CloudTrail ListTrails in me-south-1 is not offered or not enabled there \(UnrecognizedClientException/,
      ),
      expect.stringMatching(
        /^CloudTrail ListTrails in xx-nowhere-1 is not offered or not enabled there .*ENOTFOUND/,
      ),
    ]);
  });

  it('says in the details and the notes that a trail is not logging', async () => {
    regionClients('us-east-1');
    const stopped = trail('management-events');
    ct('us-east-1')
      .on(ListTrailsCommand)
      .resolves({ Trails: [trailInfo(stopped)] });
    ct('us-east-1')
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [stopped] });
    ct('us-east-1')
      .on(GetTrailStatusCommand)
      .resolves(
        logging({
          IsLogging: false,
          StopLoggingTime: new Date('2024-04-30T23:12:44Z'),
          TimeLoggingStopped: '2024-04-30T23:12:44Z',
          LatestDeliveryError: 'AccessDenied',
        }),
      );
    ct('us-east-1').on(GetEventSelectorsCommand).resolves(basicSelectors(stopped));
    bucket('acme-cloudtrail-logs', [logFile('AWSLogs/', ACCOUNT, 'us-east-1')]);

    const result = await inventory(['us-east-1']).discover(context);

    expect(result.sources[0]?.details).toMatchObject({
      isLogging: false,
      notLogging: 'management-events (stopped 2024-04-30T23:12:44.000Z)',
      latestDeliveryError: 'management-events: AccessDenied',
    });
    expect(result.notes).toEqual([
      'Trail management-events is not logging since 2024-04-30T23:12:44.000Z: events after it stopped are not in its bucket.',
      'Trail management-events reports a delivery error (AccessDenied): files may be missing.',
    ]);
  });

  it('records a bucket it may not list (another account) and one with no deliveries as skipped', async () => {
    regionClients('us-east-1');
    const central = trail('to-log-archive', { S3BucketName: 'central-log-archive', S3KeyPrefix: 'acme/' });
    const empty = trail('never-delivered', { S3BucketName: 'empty-trail-bucket' });
    ct('us-east-1')
      .on(ListTrailsCommand)
      .resolves({ Trails: [trailInfo(central), trailInfo(empty)] });
    ct('us-east-1')
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [central, empty] });
    ct('us-east-1').on(GetTrailStatusCommand).resolves(logging());
    ct('us-east-1').on(GetEventSelectorsCommand).resolves(basicSelectors(central));
    s3.on(ListObjectsV2Command, { Bucket: 'central-log-archive' }).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        message: 'Access Denied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    bucket('empty-trail-bucket', []);

    const result = await inventory(['us-east-1']).discover(context);

    expect(result.sources).toEqual([]);
    expect(result.skipped).toEqual([
      {
        input: 's3://central-log-archive/acme/',
        reason: expect.stringContaining('may belong to another account'),
        stage: 'inventory',
      },
      {
        input: 's3://empty-trail-bucket/',
        reason: expect.stringContaining(
          'No CloudTrail delivery folders under AWSLogs/ (trail never-delivered)',
        ),
        stage: 'inventory',
      },
    ]);
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, {
      Bucket: 'central-log-archive',
      Prefix: 'acme/AWSLogs/',
    });
  });

  it('notes an account without any trail', async () => {
    regionClients('us-east-1');
    ct('us-east-1').on(ListTrailsCommand).resolves({ Trails: [] });

    const result = await inventory(['us-east-1']).discover(context);

    expect(result.sources).toEqual([]);
    expect(ct('us-east-1')).not.toHaveReceivedCommand(DescribeTrailsCommand);
    expect(result.notes).toEqual([expect.stringMatching(/^No CloudTrail trail found in us-east-1/)]);
  });

  it('turns throttling that outlasted the SDK retries into TransientServiceError for the step Retry', async () => {
    regionClients('us-east-1');
    ct('us-east-1')
      .on(ListTrailsCommand)
      .rejects(apiError('ThrottlingException', 'Rate exceeded', 400));

    await expect(inventory(['us-east-1']).discover(context)).rejects.toBeInstanceOf(TransientServiceError);
  });

  it('lets an unexpected error fail the step', async () => {
    regionClients('us-east-1');
    ct('us-east-1').on(ListTrailsCommand).rejects(apiError('InvalidNextTokenException', 'bad token'));

    await expect(inventory(['us-east-1']).discover(context)).rejects.toMatchObject({
      name: 'InvalidNextTokenException',
    });
  });
});

const logsAccount = (region: string, name: string) => `arn:aws:logs:${region}:${ACCOUNT}:log-group:${name}`;

/** A logGroups entry as DescribeLogGroups returns it (CloudWatch Logs API reference). */
function logGroup(name: string, fields: Partial<LogGroup> = {}, region = 'us-east-1'): LogGroup {
  return {
    logGroupName: name,
    creationTime: Date.parse('2023-06-01T00:00:00Z'),
    metricFilterCount: 0,
    arn: `${logsAccount(region, name)}:*`,
    logGroupArn: logsAccount(region, name),
    storedBytes: 52_428_800,
    logGroupClass: 'STANDARD',
    ...fields,
  };
}

function noTrails(...regions: string[]) {
  regionClients(...regions);
  for (const region of regions) ct(region).on(ListTrailsCommand).resolves({ Trails: [] });
}

const closedWindow = openCaseContext(
  { caseId: 'case-1', from: '2024-05-01T00:00:00Z', to: '2024-05-02T00:00:00Z' },
  'athena',
  new Date('2024-05-02T09:00:00Z'),
);

describe('AwsLogInventory.discover: CloudWatch-only log groups to export', () => {
  it('pages through DescribeLogGroups and picks EKS control plane, Lambda and configured groups, naming the API Gateway groups it leaves', async () => {
    noTrails('us-east-1');
    cwl('us-east-1')
      .on(DescribeLogGroupsCommand)
      .resolvesOnce({
        logGroups: [
          logGroup('/aws/eks/prod/cluster'),
          logGroup('/aws/lambda/payments-api', { retentionInDays: 30 }),
          logGroup('/aws/lambda/never-invoked', { storedBytes: 0 }),
          logGroup('/ecs/web'),
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        logGroups: [
          logGroup('API-Gateway-Execution-Logs_a1b2c3d4e5/prod'),
          logGroup('/corp/payments/audit', { retentionInDays: 365 }),
          logGroup('/aws/eks/prod/cluster-autoscaler'),
        ],
      });

    const result = await inventory(['us-east-1'], { exportLogGroupPatterns: ['/corp/*/audit'] }).discover(
      closedWindow,
    );

    expect(cwl('us-east-1')).toHaveReceivedCommandTimes(DescribeLogGroupsCommand, 2);
    expect(cwl('us-east-1')).toHaveReceivedNthCommandWith(DescribeLogGroupsCommand, 2, {
      nextToken: 'page-2',
    });
    const window = { from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T00:00:00.000Z', lostBefore: null };
    expect(result.exports).toEqual([
      { logGroup: '/aws/eks/prod/cluster', account: ACCOUNT, region: 'us-east-1', ...window },
      { logGroup: '/aws/lambda/payments-api', account: ACCOUNT, region: 'us-east-1', ...window },
      { logGroup: '/corp/payments/audit', account: ACCOUNT, region: 'us-east-1', ...window },
    ]);
    expect(result.notes).toContain(
      '1 log group(s) of API Gateway execution logs in us-east-1 are not exported (API-Gateway-Execution-Logs_a1b2c3d4e5/prod): ' +
        "casefile has no table for them, and an export would hold the account's one export slot for nothing.",
    );
  });

  it('exports only the part of the window the retention still holds, and says what is lost', async () => {
    noTrails('us-east-1');
    cwl('us-east-1')
      .on(DescribeLogGroupsCommand)
      .resolves({
        logGroups: [
          logGroup('/aws/eks/prod/cluster', { retentionInDays: 7 }),
          logGroup('/aws/lambda/old-batch', { retentionInDays: 1 }),
        ],
      });
    const april = openCaseContext(
      { caseId: 'case-1', from: '2024-04-01T00:00:00Z', to: '2024-04-30T12:00:00Z' },
      'athena',
      new Date('2024-05-02T09:00:00Z'),
    );

    const result = await inventory(['us-east-1']).discover(april);

    // now is 2024-05-02T10:00Z: seven days hold events from 2024-04-25T10:00Z on; one day, none of April.
    expect(result.exports).toEqual([
      {
        logGroup: '/aws/eks/prod/cluster',
        account: ACCOUNT,
        region: 'us-east-1',
        from: '2024-04-25T10:00:00.000Z',
        to: '2024-04-30T12:00:00.000Z',
        lostBefore: '2024-04-25T10:00:00.000Z',
      },
    ]);
    expect(result.notes).toContain(
      'Log group /aws/lambda/old-batch in us-east-1 keeps events for 1 days: nothing of the case window ' +
        '(2024-04-01T00:00:00.000Z to 2024-04-30T12:00:00.000Z) is left to export.',
    );
  });

  it('exports the window closed when the case opened (the 90 days before), not when the inventory ran', async () => {
    noTrails('us-east-1');
    cwl('us-east-1')
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [logGroup('/aws/eks/prod/cluster')] });

    const result = await inventory(['us-east-1']).discover(context);

    expect(result.exports).toEqual([
      expect.objectContaining({
        from: '2024-02-01T00:00:00.000Z',
        to: '2024-05-01T00:00:00.000Z',
        lostBefore: null,
      }),
    ]);
  });

  it('notes a denied DescribeLogGroups and goes on with the other regions', async () => {
    noTrails('us-east-1', 'eu-west-1');
    cwl('us-east-1')
      .on(DescribeLogGroupsCommand)
      .rejects(
        new LogsAccessDeniedException({
          message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/casefile-inventory/fn is not authorized to perform: logs:DescribeLogGroups`,
          $metadata: { httpStatusCode: 400 },
        }),
      );
    cwl('eu-west-1')
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [logGroup('/aws/lambda/eu-api', {}, 'eu-west-1')] });

    const result = await inventory(['us-east-1', 'eu-west-1']).discover(closedWindow);

    expect(result.exports?.map((e) => [e.region, e.logGroup])).toEqual([['eu-west-1', '/aws/lambda/eu-api']]);
    expect(result.notes).toContainEqual(
      expect.stringMatching(
        /^CloudWatch Logs DescribeLogGroups in us-east-1 was denied \(AccessDeniedException: .*logs:DescribeLogGroups\)/,
      ),
    );
  });

  it('notes the groups of regions other than the case bucket, which CloudWatch Logs cannot export there', async () => {
    noTrails('us-east-1', 'eu-west-1');
    cwl('us-east-1')
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [logGroup('/aws/lambda/us-api')] });
    cwl('eu-west-1')
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [logGroup('/aws/eks/eu/cluster', {}, 'eu-west-1')] });

    const result = await inventory(['us-east-1', 'eu-west-1'], { exportRegion: 'us-east-1' }).discover(
      closedWindow,
    );

    expect(result.exports?.map((e) => e.logGroup)).toEqual(['/aws/lambda/us-api']);
    expect(result.notes).toEqual([
      expect.stringMatching(/^No CloudTrail trail found/),
      '1 log group(s) in eu-west-1 are not exported (/aws/eks/eu/cluster): CloudWatch Logs exports only to ' +
        'a bucket in the same region, and the case bucket is in us-east-1.',
    ]);
  });
});

const EXPORT_TASK = '6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9';
const exportFixture = readFileSync(
  join(
    import.meta.dirname,
    '../../fixtures/eksaudit/cloudwatch-export',
    EXPORT_TASK,
    'kube-apiserver-audit-5c1e8f2a9b7d4e3f/000000',
  ),
  'utf8',
);

/** A Body as the SDK returns it: only the reader the inventory uses is needed. */
function body(bytes: Uint8Array): GetObjectCommandOutput['Body'] {
  return {
    transformToByteArray: async () => bytes,
    transformToString: async () => Buffer.from(bytes).toString('utf8'),
  } as unknown as GetObjectCommandOutput['Body'];
}

/**
 * The case bucket after CloudWatch Logs exported into it: ListObjectsV2 without a delimiter, `pageSize`
 * keys a page, and GetObject honouring the Range header as S3 does.
 */
function caseBucket(objects: Record<string, Uint8Array>, pageSize = 1000) {
  const keys = Object.keys(objects).sort();
  s3.on(ListObjectsV2Command, { Bucket: 'casefile-cases' }).callsFake((input: ListObjectsV2CommandInput) => {
    const matching = keys.filter((key) => key.startsWith(input.Prefix ?? ''));
    const start = Number(input.ContinuationToken ?? 0);
    const page = matching.slice(start, start + pageSize);
    const more = start + pageSize < matching.length;
    const output: ListObjectsV2CommandOutput = {
      $metadata: { httpStatusCode: 200 },
      Name: 'casefile-cases',
      Prefix: input.Prefix,
      KeyCount: page.length,
      IsTruncated: more,
      ...(page.length > 0
        ? {
            Contents: page.map((Key) => ({ Key, Size: objects[Key]?.length ?? 0, StorageClass: 'STANDARD' })),
          }
        : {}),
      ...(more ? { NextContinuationToken: String(start + pageSize) } : {}),
    };
    return output;
  });
  s3.on(GetObjectCommand, { Bucket: 'casefile-cases' }).callsFake((input: GetObjectCommandInput) => {
    const object = objects[input.Key ?? ''];
    if (!object) throw new S3ServiceException({ name: 'NoSuchKey', $fault: 'client', $metadata: {} });
    const [, first, last] = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '') ?? [];
    const bytes = first === undefined ? object : object.subarray(Number(first), Number(last) + 1);
    return {
      $metadata: { httpStatusCode: input.Range ? 206 : 200 },
      ContentLength: bytes.length,
      Body: body(bytes),
    };
  });
}

const exported = (logGroup: string, folder: string, fields: Partial<ExportOutcome> = {}): ExportOutcome => ({
  logGroup,
  status: 'COMPLETED',
  reason: null,
  destination: `case-1/exports/${folder}/`,
  ...fields,
});

function exportedInventory() {
  regionClients('us-east-1');
  return inventory(['us-east-1'], { caseBucket: 'casefile-cases', casePrefix: 'cases/' });
}

describe('AwsLogInventory.discoverExported', () => {
  it('classifies an EKS audit export by the start of its first file, cut short by the 64 KiB range', async () => {
    // Random audit ids keep the gzip stream far longer than the range, so only a prefix is inflated.
    const padding = Array.from(
      { length: 3000 },
      (_, i) =>
        `2024-05-01T12:${String(i % 60).padStart(2, '0')}:00.000Z {"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"${randomBytes(48).toString('hex')}","verb":"get"}`,
    ).join('\n');
    const gz = gzipSync(`${exportFixture}${padding}\n`);
    expect(gz.length).toBeGreaterThan(2 * 65_536);
    const root = 'cases/case-1/exports/aws-eks-prod-cluster/';
    caseBucket(
      {
        [`${root}aws-logs-write-test`]: new TextEncoder().encode('Permission Check Successful'),
        [`${root}${EXPORT_TASK}/kube-apiserver-audit-5c1e8f2a9b7d4e3f/000000.gz`]: gz,
        [`${root}${EXPORT_TASK}/kube-apiserver-audit-5c1e8f2a9b7d4e3f/000001.gz`]: gz,
      },
      2,
    );

    const result = await exportedInventory().discoverExported(context, [
      exported('/aws/eks/prod/cluster', 'aws-eks-prod-cluster'),
    ]);

    expect(result).toEqual({
      discoveredAt: '2024-05-02T10:00:00.000Z',
      sources: [
        {
          source: 'eksaudit',
          location: `s3://casefile-cases/${root}`,
          details: {
            logGroup: '/aws/eks/prod/cluster',
            layout: 'cloudwatch-export',
            exportedFiles: 2,
            streams: 1,
          },
        },
      ],
      skipped: [],
      notes: [],
    });
    expect(s3).toHaveReceivedCommandTimes(ListObjectsV2Command, 2);
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 1);
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, {
      Bucket: 'casefile-cases',
      Key: `${root}${EXPORT_TASK}/kube-apiserver-audit-5c1e8f2a9b7d4e3f/000000.gz`,
      Range: 'bytes=0-65535',
    });
  });

  // https://docs.aws.amazon.com/eks/latest/userguide/api-server-flags.html: one stream per component and server.
  it('finds the audit streams of a cluster group whatever other control-plane streams sort before them, sampling each kind once', async () => {
    const lines = (messages: string[]) =>
      gzipSync(messages.map((m, i) => `2024-05-01T12:00:0${i}.000Z ${m}`).join('\n'));
    const authenticator = lines([
      'time="2024-05-01T12:00:00Z" level=info msg="access granted" arn="arn:aws:iam::111122223333:role/admin"',
    ]);
    const apiServer = lines([
      'I0501 12:00:00.000000      10 controller.go:615] quota admission added evaluator',
    ]);
    const scheduler = lines(['I0501 12:00:00.000000      10 schedule_one.go:252] "Successfully bound pod"']);
    const audit = gzipSync(exportFixture);
    const root = 'cases/case-1/exports/aws-eks-prod-cluster/';
    caseBucket({
      [`${root}aws-logs-write-test`]: new TextEncoder().encode('Permission Check Successful'),
      [`${root}${EXPORT_TASK}/authenticator-0d9e8f7a6b5c4d3e0d9e8f7a6b5c4d3e/000000.gz`]: authenticator,
      [`${root}${EXPORT_TASK}/authenticator-7a6b5c4d3e0d9e8f7a6b5c4d3e0d9e8f/000000.gz`]: authenticator,
      [`${root}${EXPORT_TASK}/kube-apiserver-2b7d4e3f5c1e8f2a9b7d4e3f5c1e8f2a/000000.gz`]: apiServer,
      [`${root}${EXPORT_TASK}/kube-apiserver-audit-5c1e8f2a9b7d4e3f5c1e8f2a9b7d4e3f/000000.gz`]: audit,
      [`${root}${EXPORT_TASK}/kube-apiserver-audit-9b7d4e3f5c1e8f2a9b7d4e3f5c1e8f2a/000000.gz`]: audit,
      [`${root}${EXPORT_TASK}/kube-scheduler-4e3f5c1e8f2a9b7d4e3f5c1e8f2a9b7d/000000.gz`]: scheduler,
    });

    const result = await exportedInventory().discoverExported(context, [
      exported('/aws/eks/prod/cluster', 'aws-eks-prod-cluster'),
    ]);

    expect(result.sources).toEqual([
      {
        source: 'eksaudit',
        location: `s3://casefile-cases/${root}`,
        details: {
          logGroup: '/aws/eks/prod/cluster',
          layout: 'cloudwatch-export',
          exportedFiles: 2,
          streams: 2,
        },
      },
    ]);
    expect(result.skipped.map((s) => [s.input.slice(`s3://casefile-cases/${root}`.length), s.stage])).toEqual(
      [
        [`${EXPORT_TASK}/authenticator-0d9e8f7a6b5c4d3e0d9e8f7a6b5c4d3e/`, 'export'],
        [`${EXPORT_TASK}/kube-apiserver-2b7d4e3f5c1e8f2a9b7d4e3f5c1e8f2a/`, 'export'],
        [`${EXPORT_TASK}/kube-scheduler-4e3f5c1e8f2a9b7d4e3f5c1e8f2a9b7d/`, 'export'],
      ],
    );
    expect(result.skipped[0]?.reason).toMatch(
      /^The export of \/aws\/eks\/prod\/cluster holds 2 stream\(s\) named .*authenticator-\* that no source reads: unknown format/,
    );
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 4);
  });

  it('skips only the stream family whose sampled object is corrupt gzip, and tables the rest', async () => {
    const root = 'cases/case-1/exports/aws-eks-prod-cluster/';
    const audit = gzipSync(exportFixture);
    caseBucket({
      // A gzip header, then a deflate stream whose first block has no valid type.
      [`${root}${EXPORT_TASK}/authenticator-0d9e8f7a6b5c4d3e0d9e8f7a6b5c4d3e/000000.gz`]: Uint8Array.from([
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xff, 0xff, 0xff,
      ]),
      [`${root}${EXPORT_TASK}/kube-apiserver-audit-5c1e8f2a9b7d4e3f5c1e8f2a9b7d4e3f/000000.gz`]: audit,
    });

    const result = await exportedInventory().discoverExported(context, [
      exported('/aws/eks/prod/cluster', 'aws-eks-prod-cluster'),
    ]);

    expect(result.sources.map((s) => s.source)).toEqual(['eksaudit']);
    expect(result.skipped).toEqual([
      expect.objectContaining({
        input: `s3://casefile-cases/${root}${EXPORT_TASK}/authenticator-0d9e8f7a6b5c4d3e0d9e8f7a6b5c4d3e/`,
        reason: expect.stringMatching(/authenticator-\* that no source reads: .*corrupt gzip/),
      }),
    ]);
  });

  it('classifies a Lambda export, its stream folders keeping the slashes of the stream name', async () => {
    const lambda = gzipSync(
      [
        '2024-05-01T10:00:00.000Z START RequestId: 0f5b6f4e-1c1e-4a5c-9b3a-1d2e3f4a5b6c Version: $LATEST',
        '2024-05-01T10:00:00.120Z 2024-05-01T10:00:00.120Z\t0f5b6f4e-1c1e-4a5c-9b3a-1d2e3f4a5b6c\tINFO\tcharge created',
        '2024-05-01T10:00:00.130Z END RequestId: 0f5b6f4e-1c1e-4a5c-9b3a-1d2e3f4a5b6c',
      ].join('\n'),
    );
    const root = 'cases/case-1/exports/aws-lambda-payments-api/';
    caseBucket({
      [`${root}aws-logs-write-test`]: new TextEncoder().encode('Permission Check Successful'),
      [`${root}${EXPORT_TASK}/2024/05/01/[$LATEST]abc/000000.gz`]: lambda,
    });

    const result = await exportedInventory().discoverExported(context, [
      exported('/aws/lambda/payments-api', 'aws-lambda-payments-api'),
    ]);

    expect(result.sources).toEqual([
      {
        source: 'lambda',
        location: `s3://casefile-cases/${root}`,
        details: {
          logGroup: '/aws/lambda/payments-api',
          layout: 'cloudwatch-export',
          exportedFiles: 1,
          streams: 1,
        },
      },
    ]);
    expect(result.skipped).toEqual([]);
  });

  it('skips, with the reason, an export whose lines no source recognises', async () => {
    const accessLog = gzipSync(
      [
        '2024-05-01T10:00:00.000Z 203.0.113.45 - - [01/May/2024:10:00:00 +0000] "GET /prod/charges HTTP/1.1" 200 57 c3b9f7a2-5d1e-4f8a-9b0c-1d2e3f4a5b6c',
        '2024-05-01T10:00:00.130Z 203.0.113.45 - - [01/May/2024:10:00:00 +0000] "POST /prod/charges HTTP/1.1" 201 112 d4c0a8b3-6e2f-4a9b-8c1d-2e3f4a5b6c7d',
      ].join('\n'),
    );
    const root = 'cases/case-1/exports/API-Gateway-Access-Logs_payments/';
    caseBucket({ [`${root}${EXPORT_TASK}/4a1c2e3f5b6d7e8f/000000.gz`]: accessLog });

    const result = await exportedInventory().discoverExported(context, [
      exported('API-Gateway-Access-Logs_payments', 'API-Gateway-Access-Logs_payments'),
    ]);

    expect(result.sources).toEqual([]);
    expect(result.skipped).toEqual([
      {
        input: `s3://casefile-cases/${root}${EXPORT_TASK}/4a1c2e3f5b6d7e8f/`,
        reason: expect.stringMatching(
          /^The export of API-Gateway-Access-Logs_payments holds 1 stream\(s\) named .* that no source reads: unknown format \(starts with "2024-05-01T10:00:00.000Z 203\.0/,
        ),
        stage: 'export',
      },
    ]);
  });

  it('says an export that wrote only the write check held no events, and leaves unfinished exports to the workflow', async () => {
    const root = 'cases/case-1/exports/aws-lambda-quiet/';
    caseBucket({ [`${root}aws-logs-write-test`]: new TextEncoder().encode('Permission Check Successful') });

    const result = await exportedInventory().discoverExported(context, [
      exported('/aws/lambda/quiet', 'aws-lambda-quiet'),
      exported('/aws/lambda/denied', 'aws-lambda-denied', {
        status: 'FAILED',
        reason: 'Access Denied',
        destination: null,
      }),
    ]);

    expect(result.sources).toEqual([]);
    expect(result.skipped).toEqual([
      {
        input: `s3://casefile-cases/${root}`,
        reason: 'The export of /aws/lambda/quiet wrote no log files: the group held no events in the window.',
        stage: 'export',
      },
    ]);
    expect(s3).toHaveReceivedCommandTimes(ListObjectsV2Command, 1);
    expect(s3).not.toHaveReceivedCommand(GetObjectCommand);
  });
});
