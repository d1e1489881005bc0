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
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsLogInventory } from '../../../shared/aws/aws-log-inventory.js';
import { openCaseContext } from '../../../shared/domain/case.js';
import { TransientServiceError } from '../../../shared/errors.js';

const ACCOUNT = '111122223333';
const MEMBER = '444455556666';
const ORG = 'o-exampleorgid';
const context = openCaseContext({ caseId: 'case-1' }, 'athena', new Date('2024-05-01T00:00:00Z'));
const now = () => new Date('2024-05-02T10:00:00Z');

type CloudTrailMock = AwsClientStub<CloudTrailClient>;
const s3 = mockClient(S3Client);
let cloudTrail: Map<string, { client: CloudTrailClient; mock: CloudTrailMock }>;

/** One CloudTrail client per region, each with its own mock, as the factory hands them out. */
function regionClients(...regions: string[]) {
  cloudTrail = new Map(
    regions.map((region) => {
      const client = new CloudTrailClient({ region });
      return [region, { client, mock: mockClient(client) }];
    }),
  );
}

function ct(region: string): CloudTrailMock {
  const entry = cloudTrail.get(region);
  if (!entry) throw new Error(`no client for ${region}`);
  return entry.mock;
}

function inventory(regions: string[]) {
  return new AwsLogInventory({
    regions,
    cloudTrailClient: (region) => {
      const entry = cloudTrail.get(region);
      if (!entry) throw new Error(`the inventory asked for a client in ${region}`);
      return entry.client;
    },
    now,
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
