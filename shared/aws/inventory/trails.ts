import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  type GetEventSelectorsCommandOutput,
  GetTrailStatusCommand,
  type GetTrailStatusCommandOutput,
  paginateListTrails,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { SkippedInput, SourceLocation } from '../../domain/inventory.js';
import type { AccountScope } from './account-scope.js';
import { asTransient, attempt, classify, describe } from './api-failures.js';
import type { Findings } from './findings.js';

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

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/** ListBucket on the trail buckets is granted by bucket, beside the other actions (serverless.yml). */
export const trailsIamActions = [
  'cloudtrail:ListTrails',
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetTrailStatus',
  'cloudtrail:GetEventSelectors',
  's3:ListBucket',
] as const;

/**
 * CloudTrail trails through the CloudTrail API and their logs in S3: which trails exist, whether
 * they log and what, and which accounts and regions have delivered files under `AWSLogs/`.
 */
export async function inventoryTrails(scope: AccountScope, found: Findings): Promise<void> {
  const trails = await findTrails(scope, found.notes);
  if (trails.length === 0) {
    found.notes.push(
      `No CloudTrail trail found in ${scope.regions.join(', ')}: only the 90-day CloudTrail event history ` +
        'would hold API activity, and it is not read by this inventory.',
    );
  }
  for (const destination of groupByDestination(trails)) {
    found.sources.push(...(await locateLogs(scope, destination, found.skipped, found.notes)));
  }
}

async function findTrails(scope: AccountScope, notes: string[]): Promise<TrailFacts[]> {
  const seen = new Set<string>();
  const found: TrailFacts[] = [];
  for (const region of scope.regions) {
    const client = scope.client('cloudTrail', region);
    const arns = await attempt(notes, `CloudTrail ListTrails in ${region}`, async () => {
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
    const described = await attempt(notes, `CloudTrail DescribeTrails in ${region}`, () =>
      client.send(new DescribeTrailsCommand({ trailNameList: fresh, includeShadowTrails: true })),
    );
    for (const trail of described?.trailList ?? []) {
      if (!trail.Name || !trail.TrailARN) continue;
      if (!trail.S3BucketName) {
        notes.push(`Trail ${trail.Name} delivers to no S3 bucket; its events are not inventoried.`);
        continue;
      }
      found.push(
        await describeTrail(
          client,
          { ...trail, Name: trail.Name, TrailARN: trail.TrailARN, S3BucketName: trail.S3BucketName },
          notes,
        ),
      );
    }
  }
  return found;
}

async function describeTrail(
  client: CloudTrailClient,
  trail: TrailFacts['trail'],
  notes: string[],
): Promise<TrailFacts> {
  const status = await attempt(notes, `CloudTrail GetTrailStatus for ${trail.Name}`, () =>
    client.send(new GetTrailStatusCommand({ Name: trail.TrailARN })),
  );
  const selectors = await attempt(notes, `CloudTrail GetEventSelectors for ${trail.Name}`, () =>
    client.send(new GetEventSelectorsCommand({ TrailName: trail.TrailARN })),
  );
  if (status && !status.IsLogging) {
    const since = status.StopLoggingTime ? ` since ${status.StopLoggingTime.toISOString()}` : '';
    notes.push(`Trail ${trail.Name} is not logging${since}: events after it stopped are not in its bucket.`);
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
async function locateLogs(
  scope: AccountScope,
  destination: Destination,
  skipped: SkippedInput[],
  notes: string[],
): Promise<SourceLocation[]> {
  const location = `s3://${destination.bucket}/${destination.prefix}`;
  const s3 = scope.client('s3', destination.homeRegion);
  const names = destination.trails.map((t) => t.trail.Name).join(', ');
  const folders = (key: string) => listFolders(s3, destination.bucket, key);
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
async function listFolders(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
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
