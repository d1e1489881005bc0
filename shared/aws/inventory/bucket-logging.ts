import {
  type Bucket,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  type LoggingEnabled,
  paginateListBuckets,
} from '@aws-sdk/client-s3';
import type { SourceLocation } from '../../domain/inventory.js';
import type { AccountScope } from './account-scope.js';
import { allPages, asTransient, attempt, classify } from './api-failures.js';
import { enclosingFolder } from './arns.js';
import { counted, type InventoryService, listed, mapConcurrently } from './findings.js';

/** GetBucketLogging calls in flight at once: enough for thousands of buckets inside the step's timeout. */
const CONCURRENCY = 8;
/** Buckets named in a coverage gap before the rest are only counted. */
const LISTED_BUCKETS = 20;

interface BucketLogging {
  name: string;
  region: string;
  /** Null: logging is off. Undefined: S3 would not say (the failure tells why). */
  logging?: LoggingEnabled | null;
  failure?: 'denied' | 'unavailable';
}

/** One target folder and key layout that buckets of this account deliver access logs to. */
interface Target {
  bucket: string;
  folder: string;
  layout: 'date-partitioned' | 'flat';
  prefixes: Set<string>;
  partitionDateSource: Set<string>;
  sources: BucketLogging[];
}

/**
 * S3 server access logging of every bucket of the account (S3 ListBuckets, then GetBucketLogging in
 * each bucket's region): the target bucket and prefix become `s3access` locations, one per folder
 * and key layout (`date-partitioned`: `<prefix><account>/<region>/<bucket>/yyyy/MM/dd/`, `flat`:
 * `<prefix>yyyy-MM-dd-...`). Buckets that do not log are a coverage gap; a bucket S3 would not
 * describe is noted.
 */
export const bucketLoggingInventory: InventoryService = {
  id: 'bucket-logging',
  iamActions: ['s3:ListAllMyBuckets', 's3:GetBucketLocation', 's3:GetBucketLogging'],
  async run(scope, found) {
    const client = scope.client('s3', scope.homeRegion);
    const buckets = await attempt(found.notes, 'S3 ListBuckets', () =>
      allPages(paginateListBuckets({ client }, { MaxBuckets: 1000 }), (page) => page.Buckets),
    );
    if (!buckets || buckets.length === 0) return;
    const account = await scope.accountId(found.notes);
    const facts = (
      await mapConcurrently(buckets, CONCURRENCY, (bucket) => bucketLogging(scope, bucket))
    ).filter((fact): fact is BucketLogging => fact !== undefined);
    for (const failure of ['denied', 'unavailable'] as const) {
      const unknown = facts.filter((f) => f.failure === failure).map((f) => f.name);
      if (unknown.length === 0) continue;
      found.notes.push(
        `S3 ${failure === 'denied' ? 'denied' : 'could not answer'} GetBucketLocation or GetBucketLogging for ` +
          `${counted(unknown.length, 'bucket')} (${listed(unknown)}): whether they log access is unknown.`,
      );
    }
    const targets = groupByTarget(facts);
    found.sources.push(...targets.map((target) => location(target, account)));
    const logBuckets = new Set(targets.map((t) => t.bucket));
    const silent = facts.filter((f) => f.logging === null && !logBuckets.has(f.name)).map((f) => f.name);
    if (silent.length > 0) {
      found.gaps.push({
        source: 's3access',
        reason:
          `server access logging is off for ${silent.length} of ${counted(facts.length, 'bucket')}: ` +
          `${listed(silent, LISTED_BUCKETS)}`,
      });
    }
  },
};

async function bucketLogging(scope: AccountScope, bucket: Bucket): Promise<BucketLogging | undefined> {
  const name = bucket.Name;
  if (!name) return undefined;
  try {
    const region = bucket.BucketRegion ?? (await bucketRegion(scope, name));
    const answer = await scope.client('s3', region).send(new GetBucketLoggingCommand({ Bucket: name }));
    return { name, region, logging: answer.LoggingEnabled ?? null };
  } catch (error) {
    const failure = classify(error);
    // A bucket deleted since it was listed has nothing to say.
    if (failure === 'missing') return undefined;
    if (!failure) throw asTransient(`S3 GetBucketLogging for ${name}`, error);
    return { name, region: bucket.BucketRegion ?? '', failure };
  }
}

/** GetBucketLocation answers no constraint for us-east-1, and `EU` for the oldest eu-west-1 buckets. */
async function bucketRegion(scope: AccountScope, bucket: string): Promise<string> {
  const answer = await scope
    .client('s3', scope.homeRegion)
    .send(new GetBucketLocationCommand({ Bucket: bucket }));
  const constraint = answer.LocationConstraint as string | undefined;
  if (!constraint) return 'us-east-1';
  return constraint === 'EU' ? 'eu-west-1' : constraint;
}

/**
 * Date-partitioned logs are grouped by their exact prefix, since the account folder follows it;
 * flat logs by the folder holding their files, since a table reads a folder, not a name prefix.
 */
function groupByTarget(facts: BucketLogging[]): Target[] {
  const targets = new Map<string, Target>();
  for (const fact of facts) {
    const logging = fact.logging;
    if (!logging?.TargetBucket) continue;
    const prefix = (logging.TargetPrefix ?? '').replace(/^\/+/, '');
    const partitioned = logging.TargetObjectKeyFormat?.PartitionedPrefix !== undefined;
    const layout = partitioned ? 'date-partitioned' : 'flat';
    const folder = partitioned ? prefix : enclosingFolder(prefix);
    const key = JSON.stringify([logging.TargetBucket, folder, layout]);
    let target = targets.get(key);
    if (!target) {
      target = {
        bucket: logging.TargetBucket,
        folder,
        layout,
        prefixes: new Set(),
        partitionDateSource: new Set(),
        sources: [],
      };
      targets.set(key, target);
    }
    target.prefixes.add(prefix);
    const dateSource = logging.TargetObjectKeyFormat?.PartitionedPrefix?.PartitionDateSource;
    if (dateSource) target.partitionDateSource.add(dateSource);
    target.sources.push(fact);
  }
  return [...targets.values()];
}

/**
 * Date-partitioned locations carry the account, the source buckets' regions and the buckets (the
 * folders below the region); flat ones carry none, as their keys have no such folders.
 */
function location(target: Target, account: string | undefined): SourceLocation {
  const buckets = target.sources.map((s) => s.name).sort();
  const details: Record<string, string | number | boolean> = {
    layout: target.layout,
    targetPrefix: listed([...target.prefixes].sort()),
    sourceBuckets: listed(buckets, LISTED_BUCKETS),
    sourceBucketCount: buckets.length,
  };
  if (target.partitionDateSource.size > 0) {
    details.partitionDateSource = [...target.partitionDateSource].sort().join(', ');
  }
  if (target.layout === 'date-partitioned' && target.folder !== '' && !target.folder.endsWith('/')) {
    details.coverage = `access logs in s3://${target.bucket}/ start with '${target.folder}' rather than a folder, so their account and date folders cannot be projected`;
  }
  const uri = `s3://${target.bucket}/${target.layout === 'date-partitioned' ? enclosingFolder(target.folder) : target.folder}`;
  if (target.layout === 'flat') return { source: 's3access', location: uri, details };
  return {
    source: 's3access',
    location: uri,
    ...(account ? { accounts: [account] } : {}),
    regions: [...new Set(target.sources.map((s) => s.region))].sort(),
    resourceFolders: buckets,
    details,
  };
}
