import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  type GetEventSelectorsCommandOutput,
  GetTrailStatusCommand,
  type GetTrailStatusCommandOutput,
  paginateListTrails,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchLogsClient,
  type LogGroup,
  paginateDescribeLogGroups,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import type { CaseContext } from '../domain/case.js';
import type { Inventory, SkippedInput, SourceLocation } from '../domain/inventory.js';
import { type ExportOutcome, type LogGroupExport, retainedWindow } from '../domain/log-exports.js';
import { InvalidRequestError, TransientServiceError, UnreadableLogError } from '../errors.js';
import type { LogInventory } from '../ports/log-inventory.js';
import { classifyLogFile } from '../sources/classify-log-file.js';
import { perRegion } from './regional-clients.js';

export interface AwsLogInventoryOptions {
  /** The regions whose trails are looked up; multi-region and organisation trails are found once. */
  regions: string[];
  cloudTrailClient?: (region: string) => CloudTrailClient;
  /**
   * Buckets are listed from the trail's home region. One client serves every region only if it was
   * made with `followRegionRedirects: true`, as the default ones are.
   */
  s3Client?: S3Client | ((region: string) => S3Client);
  cloudWatchLogsClient?: (region: string) => CloudWatchLogsClient;
  /**
   * Log groups to export besides those chosen by name (EKS control plane, Lambda, API Gateway
   * execution logs): names with `*` matching any characters, `/aws/vendedlogs/*` or `vpc-flow-*`.
   */
  exportLogGroupPatterns?: string[];
  /**
   * The case bucket's region. CloudWatch Logs exports only to a bucket in the group's own region, so
   * groups elsewhere are noted instead of exported; every region's groups are exported when absent.
   */
  exportRegion?: string;
  /** Where the export step writes: the case bucket and the prefix of case folders (`cases/`). */
  caseBucket?: string;
  casePrefix?: string;
  now?: () => Date;
}

/** What was learnt about one trail; a field is absent when the API that tells it was unavailable. */
interface TrailFacts {
  trail: Trail & { Name: string; TrailARN: string; S3BucketName: string };
  status?: GetTrailStatusCommandOutput;
  selectors?: EventCoverage;
}

interface EventCoverage {
  managementEvents: string;
  dataEventTypes: string[];
}

/** One S3 destination (bucket and key prefix) and the trails that deliver to it. */
interface Destination {
  bucket: string;
  prefix: string;
  homeRegion: string;
  trails: TrailFacts[];
}

type Failure = 'denied' | 'unavailable' | 'missing';

/** CloudWatch-only logs worth having in an investigation, recognised by their group names. */
const EXPORTED_BY_NAME = [
  /^\/aws\/eks\/[^/]+\/cluster$/,
  /^\/aws\/lambda\/./,
  /^API-Gateway-Execution-Logs_[^/]+\/./,
];
/** An open case window reaches back this far: as far as most accounts keep their CloudWatch Logs. */
const OPEN_WINDOW_DAYS = 90;
const HEAD_BYTES = 65_536;
/** CloudWatch Logs puts this object beside every export to check that it may write there. */
const EXPORT_WRITE_TEST = 'aws-logs-write-test';

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/**
 * Finds CloudTrail trails through the CloudTrail API and their logs in S3: which trails exist, whether
 * they log and what, and which accounts and regions have delivered files under `AWSLogs/`. What it is
 * not allowed to see, or what a region does not offer, becomes a note rather than a failure: an
 * incident's account is rarely tidy, and a partial inventory is still worth investigating.
 */
export class AwsLogInventory implements LogInventory {
  private readonly regions: string[];
  private readonly cloudTrailFor: (region: string) => CloudTrailClient;
  private readonly s3For: (region: string) => S3Client;
  private readonly logsFor: (region: string) => CloudWatchLogsClient;
  private readonly exportPatterns: RegExp[];
  private readonly exportRegion: string | undefined;
  private readonly caseBucket: string | undefined;
  private readonly casePrefix: string;
  private readonly now: () => Date;

  constructor(options: AwsLogInventoryOptions) {
    if (options.regions.length === 0) {
      throw new InvalidRequestError('The log inventory needs at least one region.');
    }
    this.regions = [...new Set(options.regions)];
    this.cloudTrailFor = perRegion(
      options.cloudTrailClient ?? ((region) => new CloudTrailClient({ region })),
    );
    const s3 =
      options.s3Client ?? ((region: string) => new S3Client({ region, followRegionRedirects: true }));
    this.s3For = s3 instanceof S3Client ? () => s3 : perRegion(s3);
    this.logsFor = perRegion(
      options.cloudWatchLogsClient ?? ((region) => new CloudWatchLogsClient({ region })),
    );
    this.exportPatterns = [...EXPORTED_BY_NAME, ...(options.exportLogGroupPatterns ?? []).map(glob)];
    this.exportRegion = options.exportRegion;
    this.caseBucket = options.caseBucket;
    const casePrefix = options.casePrefix ?? 'cases/';
    this.casePrefix = casePrefix === '' || casePrefix.endsWith('/') ? casePrefix : `${casePrefix}/`;
    this.now = options.now ?? (() => new Date());
  }

  async discover(context: CaseContext): Promise<Inventory> {
    const notes: string[] = [];
    const skipped: SkippedInput[] = [];
    const trails = await this.findTrails(notes);
    if (trails.length === 0) {
      notes.push(
        `No CloudTrail trail found in ${this.regions.join(', ')}: only the 90-day CloudTrail event history ` +
          'would hold API activity, and it is not read by this inventory.',
      );
    }
    const sources: SourceLocation[] = [];
    for (const destination of groupByDestination(trails)) {
      sources.push(...(await this.locateLogs(destination, skipped, notes)));
    }
    sources.sort(
      (a, b) =>
        a.location.localeCompare(b.location) ||
        (a.organizationId ?? '').localeCompare(b.organizationId ?? ''),
    );
    const exports = await this.findExports(context, notes);
    return { discoveredAt: this.now().toISOString(), sources, skipped, notes, exports };
  }

  /**
   * Classifies what the export step wrote: the first data object of each completed export, read
   * from its start like any other input. The folder becomes one location of the detected source.
   */
  async discoverExported(_context: CaseContext, exports: ExportOutcome[]): Promise<Inventory> {
    const bucket = this.caseBucket;
    if (!bucket)
      throw new InvalidRequestError('The log inventory was given no case bucket to find exports in.');
    const s3 = this.s3For(this.exportRegion ?? this.regions[0] ?? 'us-east-1');
    const sources: SourceLocation[] = [];
    const skipped: SkippedInput[] = [];
    const notes: string[] = [];
    // Exports that did not complete are recorded by the workflow with their reason.
    for (const outcome of exports) {
      if (outcome.status !== 'COMPLETED' || outcome.destination === null) continue;
      const prefix = `${this.casePrefix}${outcome.destination}`;
      const location = `s3://${bucket}/${prefix}`;
      try {
        const files = await this.listExportFiles(s3, bucket, prefix);
        const first = files[0];
        if (!first) {
          skipped.push({
            input: location,
            reason: `The export of ${outcome.logGroup} wrote no log files: the group held no events in the window.`,
            stage: 'export',
          });
          continue;
        }
        const classification = classifyLogFile(await this.readHead(s3, bucket, first));
        if (classification.kind === 'not-a-log') {
          skipped.push({
            input: location,
            reason: `The export of ${outcome.logGroup} holds no log casefile reads: ${classification.reason}`,
            stage: 'export',
          });
          continue;
        }
        sources.push({
          source: classification.source,
          location,
          details: { logGroup: outcome.logGroup, layout: classification.layout, exportedFiles: files.length },
        });
      } catch (error) {
        if (error instanceof UnreadableLogError) {
          skipped.push({ input: location, reason: error.message, stage: 'export' });
          continue;
        }
        const failure = classify(error);
        if (!failure) throw asTransient(`S3 read of the export ${location}`, error);
        const reason = `The export of ${outcome.logGroup} could not be read at ${location}: ${describe(error)}`;
        skipped.push({ input: location, reason, stage: 'export' });
        notes.push(reason);
      }
    }
    return { discoveredAt: this.now().toISOString(), sources, skipped, notes };
  }

  /** The keys of an export's log files, in order; the write check object is not one of them. */
  private async listExportFiles(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
      for (const object of page.Contents ?? []) {
        if (!object.Key || object.Key.endsWith('/') || object.Size === 0) continue;
        if (object.Key.slice(object.Key.lastIndexOf('/') + 1) === EXPORT_WRITE_TEST) continue;
        keys.push(object.Key);
      }
    }
    return keys.sort();
  }

  /** The first decompressed bytes of an object, from its first 64 KiB; exports are gzip. */
  private async readHead(client: S3Client, bucket: string, key: string): Promise<string> {
    const response = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${HEAD_BYTES - 1}` }),
    );
    const raw = Buffer.from((await response.Body?.transformToByteArray()) ?? new Uint8Array());
    if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw.toString('utf8');
    try {
      // A range cut the stream short: a sync flush yields what was decompressed instead of failing.
      return gunzipSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH })
        .subarray(0, HEAD_BYTES)
        .toString('utf8');
    } catch (error) {
      throw new UnreadableLogError(`s3://${bucket}/${key} is corrupt gzip: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  /**
   * The CloudWatch Logs groups of each region worth exporting, each cut to the part of the case
   * window its retention still holds. What retention has already lost is said in the notes.
   */
  private async findExports(context: CaseContext, notes: string[]): Promise<LogGroupExport[]> {
    const now = this.now();
    const window = {
      from: context.window.from ?? new Date(now.getTime() - OPEN_WINDOW_DAYS * 86_400_000).toISOString(),
      to: context.window.to ?? now.toISOString(),
    };
    const exports: LogGroupExport[] = [];
    for (const region of this.regions) {
      const client = this.logsFor(region);
      const groups = await this.attempt(notes, `CloudWatch Logs DescribeLogGroups in ${region}`, async () => {
        const listed: LogGroup[] = [];
        for await (const page of paginateDescribeLogGroups({ client }, {}))
          listed.push(...(page.logGroups ?? []));
        return listed;
      });
      const chosen = (groups ?? []).filter(
        (group): group is LogGroup & { logGroupName: string } =>
          group.logGroupName !== undefined &&
          group.storedBytes !== 0 &&
          this.exportPatterns.some((pattern) => pattern.test(group.logGroupName as string)),
      );
      if (this.exportRegion && region !== this.exportRegion && chosen.length > 0) {
        const names = chosen.map((g) => g.logGroupName);
        notes.push(
          `${names.length} log group(s) in ${region} are not exported (${names.slice(0, 5).join(', ')}` +
            `${names.length > 5 ? ', ...' : ''}): CloudWatch Logs exports only to a bucket in the same region, ` +
            `and the case bucket is in ${this.exportRegion}.`,
        );
        continue;
      }
      for (const group of chosen) {
        if (group.creationTime !== undefined && group.creationTime > Date.parse(window.to)) continue;
        const retained = retainedWindow(window, group.retentionInDays ?? null, now);
        if (!retained) {
          notes.push(
            `Log group ${group.logGroupName} in ${region} keeps events for ${group.retentionInDays} days: ` +
              `nothing of the case window (${window.from} to ${window.to}) is left to export.`,
          );
          continue;
        }
        exports.push({
          logGroup: group.logGroupName,
          account: accountOfArn(group.logGroupArn ?? group.arn),
          region,
          ...retained,
        });
      }
    }
    return exports.sort(
      (a, b) => (a.region ?? '').localeCompare(b.region ?? '') || a.logGroup.localeCompare(b.logGroup),
    );
  }

  private async findTrails(notes: string[]): Promise<TrailFacts[]> {
    const seen = new Set<string>();
    const found: TrailFacts[] = [];
    for (const region of this.regions) {
      const client = this.cloudTrailFor(region);
      const arns = await this.attempt(notes, `CloudTrail ListTrails in ${region}`, async () => {
        const listed: string[] = [];
        for await (const page of paginateListTrails({ client }, {})) {
          for (const info of page.Trails ?? []) if (info.TrailARN) listed.push(info.TrailARN);
        }
        return listed;
      });
      const fresh = (arns ?? []).filter((arn) => !seen.has(arn));
      if (fresh.length === 0) continue;
      for (const arn of fresh) seen.add(arn);
      // A trail of another region (or of the organisation) is described only by its ARN.
      const described = await this.attempt(notes, `CloudTrail DescribeTrails in ${region}`, () =>
        client.send(new DescribeTrailsCommand({ trailNameList: fresh, includeShadowTrails: true })),
      );
      for (const trail of described?.trailList ?? []) {
        if (!trail.Name || !trail.TrailARN) continue;
        if (!trail.S3BucketName) {
          notes.push(`Trail ${trail.Name} delivers to no S3 bucket; its events are not inventoried.`);
          continue;
        }
        found.push(
          await this.describeTrail(
            client,
            { ...trail, Name: trail.Name, TrailARN: trail.TrailARN, S3BucketName: trail.S3BucketName },
            notes,
          ),
        );
      }
    }
    return found;
  }

  private async describeTrail(
    client: CloudTrailClient,
    trail: TrailFacts['trail'],
    notes: string[],
  ): Promise<TrailFacts> {
    const status = await this.attempt(notes, `CloudTrail GetTrailStatus for ${trail.Name}`, () =>
      client.send(new GetTrailStatusCommand({ Name: trail.TrailARN })),
    );
    const selectors = await this.attempt(notes, `CloudTrail GetEventSelectors for ${trail.Name}`, () =>
      client.send(new GetEventSelectorsCommand({ TrailName: trail.TrailARN })),
    );
    if (status && !status.IsLogging) {
      const since = status.StopLoggingTime ? ` since ${status.StopLoggingTime.toISOString()}` : '';
      notes.push(
        `Trail ${trail.Name} is not logging${since}: events after it stopped are not in its bucket.`,
      );
    }
    if (status?.LatestDeliveryError) {
      notes.push(
        `Trail ${trail.Name} reports a delivery error (${status.LatestDeliveryError}): files may be missing.`,
      );
    }
    return {
      trail,
      ...(status ? { status } : {}),
      ...(selectors ? { selectors: eventCoverage(selectors) } : {}),
    };
  }

  /** Lists `AWSLogs/` of one destination and returns one location per layout found there. */
  private async locateLogs(
    destination: Destination,
    skipped: SkippedInput[],
    notes: string[],
  ): Promise<SourceLocation[]> {
    const location = `s3://${destination.bucket}/${destination.prefix}`;
    const s3 = this.s3For(destination.homeRegion);
    const names = destination.trails.map((t) => t.trail.Name).join(', ');
    const folders = (key: string) => this.listFolders(s3, destination.bucket, key);
    const logsRoot = `${destination.prefix}AWSLogs/`;
    try {
      const owners = await folders(logsRoot);
      const layouts: { organizationId?: string; accounts: Map<string, string[]> }[] = [];
      const accountLayout = new Map<string, string[]>();
      for (const owner of owners) {
        if (ACCOUNT_ID.test(owner)) {
          const regions = await folders(`${logsRoot}${owner}/CloudTrail/`);
          if (regions.length > 0) accountLayout.set(owner, regions);
        } else if (ORGANIZATION_ID.test(owner)) {
          const accounts = new Map<string, string[]>();
          for (const account of (await folders(`${logsRoot}${owner}/`)).filter((a) => ACCOUNT_ID.test(a))) {
            const regions = await folders(`${logsRoot}${owner}/${account}/CloudTrail/`);
            if (regions.length > 0) accounts.set(account, regions);
          }
          if (accounts.size > 0) layouts.push({ organizationId: owner, accounts });
        }
      }
      if (accountLayout.size > 0) layouts.unshift({ accounts: accountLayout });
      if (layouts.length === 0) {
        skipped.push({
          input: location,
          reason: `No CloudTrail delivery folders under ${logsRoot} (trail ${names}): the trail never delivered here, or the files were removed.`,
          stage: 'inventory',
        });
        return [];
      }
      return layouts.map(({ organizationId, accounts }) => ({
        source: 'cloudtrail',
        location,
        accounts: [...accounts.keys()].sort(),
        regions: [...new Set([...accounts.values()].flat())].sort(),
        ...(organizationId ? { organizationId } : {}),
        details: trailDetails(destination.trails),
      }));
    } catch (error) {
      const failure = classify(error);
      if (!failure) throw asTransient(`S3 ListObjectsV2 on ${location}`, error);
      const reason =
        failure === 'denied'
          ? `S3 denied listing ${location}AWSLogs/ (trail ${names}); the bucket may belong to another account ` +
            '(a central log archive): grant this role s3:ListBucket and s3:GetObject there, or investigate from that account.'
          : failure === 'missing'
            ? `The bucket of trail ${names} does not exist: it was deleted or never created, so its logs cannot be read.`
            : `S3 could not be reached for ${location} from ${destination.homeRegion}: ${describe(error)}`;
      skipped.push({ input: location, reason, stage: 'inventory' });
      notes.push(reason);
      return [];
    }
  }

  /** The names of the folders directly under `prefix`, every page of them. */
  private async listFolders(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client },
      { Bucket: bucket, Prefix: prefix, Delimiter: '/' },
    )) {
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix?.startsWith(prefix)) {
          names.push(common.Prefix.slice(prefix.length).replace(/\/$/, ''));
        }
      }
    }
    return names.filter((name) => name !== '').sort();
  }

  /**
   * Runs one API call; a denied call or a region without the service becomes a note and `undefined`.
   * The SDK has already retried throttling; if that still fails, the step is retried as a whole.
   */
  private async attempt<T>(notes: string[], what: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      const failure = classify(error);
      if (!failure) throw asTransient(what, error);
      const meaning =
        failure === 'denied'
          ? 'was denied'
          : failure === 'missing'
            ? 'found nothing'
            : 'is not offered or not enabled there';
      notes.push(`${what} ${meaning} (${describe(error)}); the inventory goes on without it.`);
      return undefined;
    }
  }
}

/** `*` matches any characters, `/` included; everything else is literal. */
function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** `arn:aws:logs:<region>:<account>:log-group:<name>[:*]` → the account. */
function accountOfArn(arn: string | undefined): string | null {
  const account = arn?.split(':')[4];
  return account && ACCOUNT_ID.test(account) ? account : null;
}

function groupByDestination(trails: TrailFacts[]): Destination[] {
  const destinations = new Map<string, Destination>();
  for (const facts of trails) {
    const prefix = normalisePrefix(facts.trail.S3KeyPrefix);
    const key = `${facts.trail.S3BucketName}/${prefix}`;
    const existing = destinations.get(key);
    if (existing) existing.trails.push(facts);
    else {
      destinations.set(key, {
        bucket: facts.trail.S3BucketName,
        prefix,
        homeRegion: facts.trail.HomeRegion ?? regionOfArn(facts.trail.TrailARN),
        trails: [facts],
      });
    }
  }
  return [...destinations.values()];
}

/** CloudTrail writes `<prefix>/AWSLogs/...`; an absent prefix puts AWSLogs at the bucket's root. */
function normalisePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

function regionOfArn(arn: string): string {
  return arn.split(':')[3] ?? 'us-east-1';
}

/** Basic and advanced selectors reduced to what a responder asks: management events, and which data events. */
function eventCoverage(output: GetEventSelectorsCommandOutput): EventCoverage {
  const readWrite = new Set<string>();
  const dataEventTypes = new Set<string>();
  for (const selector of output.EventSelectors ?? []) {
    if (selector.IncludeManagementEvents !== false) readWrite.add(selector.ReadWriteType ?? 'All');
    for (const resource of selector.DataResources ?? []) if (resource.Type) dataEventTypes.add(resource.Type);
  }
  for (const selector of output.AdvancedEventSelectors ?? []) {
    const field = (name: string) => selector.FieldSelectors?.find((f) => f.Field === name);
    const category = field('eventCategory')?.Equals ?? [];
    const readOnly = field('readOnly')?.Equals?.[0];
    if (category.includes('Management')) {
      readWrite.add(readOnly === 'true' ? 'ReadOnly' : readOnly === 'false' ? 'WriteOnly' : 'All');
    }
    if (category.includes('Data')) {
      const types = field('resources.type')?.Equals ?? [];
      for (const type of types.length > 0 ? types : ['some data events']) dataEventTypes.add(type);
    }
  }
  const managementEvents =
    readWrite.has('All') || (readWrite.has('ReadOnly') && readWrite.has('WriteOnly'))
      ? 'All'
      : ([...readWrite][0] ?? 'None');
  return { managementEvents, dataEventTypes: [...dataEventTypes].sort() };
}

/** Facts about the trails of one location, flattened for `SourceLocation.details`. */
function trailDetails(trails: TrailFacts[]): Record<string, string | number | boolean> {
  const details: Record<string, string | number | boolean> = {
    trails: trails.map((t) => t.trail.Name).join(', '),
    homeRegions: [...new Set(trails.map((t) => t.trail.HomeRegion ?? regionOfArn(t.trail.TrailARN)))].join(
      ', ',
    ),
    multiRegion: trails.some((t) => t.trail.IsMultiRegionTrail === true),
    organizationTrail: trails.some((t) => t.trail.IsOrganizationTrail === true),
    logFileValidation: trails.every((t) => t.trail.LogFileValidationEnabled === true),
  };
  const kmsKeys = trails.flatMap((t) => (t.trail.KmsKeyId ? [t.trail.KmsKeyId] : []));
  if (kmsKeys.length > 0) details.kmsKeyId = kmsKeys.join(', ');

  const withStatus = trails.filter((t) => t.status);
  details.isLogging =
    withStatus.length === trails.length
      ? withStatus.every((t) => t.status?.IsLogging === true)
      : 'unknown: GetTrailStatus was not available';
  const stopped = withStatus.filter((t) => t.status?.IsLogging === false);
  if (stopped.length > 0) {
    details.notLogging = stopped
      .map(
        (t) =>
          `${t.trail.Name}${t.status?.StopLoggingTime ? ` (stopped ${t.status.StopLoggingTime.toISOString()})` : ''}`,
      )
      .join(', ');
  }
  const started = withStatus.flatMap((t) =>
    t.status?.StartLoggingTime ? [t.status.StartLoggingTime.toISOString()] : [],
  );
  if (started.length > 0) details.startLoggingTime = started.sort()[0] as string;
  const deliveryErrors = withStatus.filter((t) => t.status?.LatestDeliveryError);
  if (deliveryErrors.length > 0) {
    details.latestDeliveryError = deliveryErrors
      .map((t) => `${t.trail.Name}: ${t.status?.LatestDeliveryError}`)
      .join('; ');
  }

  const coverages = trails.flatMap((t) => (t.selectors ? [t.selectors] : []));
  if (coverages.length < trails.length) {
    details.eventSelectors = 'unknown: GetEventSelectors was not available for every trail';
  }
  if (coverages.length > 0) {
    const management = new Set(coverages.map((c) => c.managementEvents));
    details.managementEvents = management.has('All')
      ? 'All'
      : [...management].filter((m) => m !== 'None').join(', ') || 'None';
    const dataTypes = [...new Set(coverages.flatMap((c) => c.dataEventTypes))].sort();
    details.dataEvents = dataTypes.length > 0 ? dataTypes.join(', ') : 'None';
    details.s3DataEvents = dataTypes.includes('AWS::S3::Object');
    details.lambdaDataEvents = dataTypes.includes('AWS::Lambda::Function');
  }
  return details;
}

const DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'AllAccessDisabled',
  'UnauthorizedOperation',
]);
/**
 * A region the account has not opted into, a service with no endpoint there, or (for S3) a bucket in
 * another region than the client's, when the client was not made to follow redirects.
 */
const UNAVAILABLE = new Set([
  'UnrecognizedClientException',
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'InvalidClientTokenId',
  'CloudTrailInvalidClientTokenIdException',
  'OptInRequired',
  'UnsupportedOperationException',
  'OperationNotPermittedException',
  'EndpointError',
]);
const UNREACHABLE_ENDPOINT = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED']);
const MISSING = new Set(['TrailNotFoundException', 'NoSuchBucket']);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'SlowDown',
  'RequestLimitExceeded',
]);

function classify(error: unknown): Failure | undefined {
  if (!(error instanceof Error)) return undefined;
  if (DENIED.has(error.name)) return 'denied';
  if (MISSING.has(error.name)) return 'missing';
  const code = (error as { code?: string }).code;
  const unreachable = code !== undefined && UNREACHABLE_ENDPOINT.has(code);
  return UNAVAILABLE.has(error.name) || unreachable ? 'unavailable' : undefined;
}

/** Throttling or a service fault that outlasted the SDK's retries is worth retrying the step for. */
function asTransient(what: string, error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (THROTTLED.has(error.name) || status === 429 || (status !== undefined && status >= 500)) {
    return new TransientServiceError(`${what} failed after the SDK's retries: ${describe(error)}`, {
      cause: error,
    });
  }
  return error;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
