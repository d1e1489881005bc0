import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { windowSourceBytes } from '../domain/athena-estimate.js';
import type { SourceLocation } from '../domain/inventory.js';
import type { LogSourceId } from '../domain/log-sources.js';
import type { ObjectListing } from '../ports/case-adapters.js';
import { mapConcurrently } from '../util/async.js';

export interface WindowObjectListerOptions {
  /** A client that follows the log buckets' regions (`followRegionRedirects`). */
  client: S3Client;
  /** ListObjectsV2 requests the whole listing may make; past it the estimate says what it left out. */
  maxRequests?: number;
  /** Prefixes listed at once. */
  concurrency?: number;
}

/**
 * 2,000 requests list up to two million objects (ListObjectsV2 returns at most 1,000 keys a page,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html) for about one US cent at
 * S3's list-request price (LIST requests, https://aws.amazon.com/s3/pricing/), within seconds at 8
 * prefixes at once.
 */
export const DEFAULT_MAX_LIST_REQUESTS = 2_000;
const DEFAULT_CONCURRENCY = 8;
const DAY_MS = 86_400_000;

/**
 * The objects a case's tables read, listed before any hunt runs so the Athena estimate and the budget
 * hold in AWS too: for CloudTrail, each account's and region's delivery-day prefixes inside the
 * window (a day of slack each side, as the tables' partition projection reads); for any other
 * location, the whole location, which its table reads too.
 */
export class WindowObjectLister {
  private readonly client: S3Client;
  private readonly maxRequests: number;
  private readonly concurrency: number;

  constructor(options: WindowObjectListerOptions) {
    this.client = options.client;
    this.maxRequests = options.maxRequests ?? DEFAULT_MAX_LIST_REQUESTS;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  }

  async list(locations: SourceLocation[], window: { from: string; to: string }): Promise<ObjectListing> {
    const prefixes = locations.flatMap((location) =>
      windowPrefixes(location, window).map((prefix) => ({ source: location.source, ...prefix })),
    );
    let requests = 0;
    let cut = 0;
    let refused: string | null = null;
    // Each page is counted as it comes: two million listed objects held as objects took hundreds of
    // megabytes of a Lambda's memory for what is, in the end, a sum per source.
    const sourceBytes: Partial<Record<LogSourceId, number>> = {};
    await mapConcurrently(prefixes, this.concurrency, async ({ source, bucket, prefix }) => {
      if (requests >= this.maxRequests) {
        cut++;
        return;
      }
      try {
        for await (const page of paginateListObjectsV2(
          { client: this.client },
          { Bucket: bucket, Prefix: prefix },
        )) {
          requests++;
          const objects = (page.Contents ?? []).flatMap((object) =>
            object.Key === undefined ? [] : [{ source, key: object.Key, size: object.Size ?? 0 }],
          );
          windowSourceBytes(objects, window, sourceBytes);
          if (requests >= this.maxRequests && page.IsTruncated) {
            cut++;
            break;
          }
        }
      } catch (error) {
        // A bucket the role may not list costs the estimate its objects, never the case.
        cut++;
        refused ??= `s3://${bucket}/${prefix}: ${(error as Error).name}: ${(error as Error).message}`;
      }
    });
    const complete = cut === 0;
    return {
      sourceBytes,
      complete,
      requests,
      ...(complete
        ? {}
        : {
            note: `the listing stopped at ${requests} ListObjectsV2 requests with ${cut} of ${prefixes.length} prefixes not listed to the end${refused ? ` (first refusal: ${refused})` : ''}: the estimate counts only what was listed`,
          }),
    };
  }
}

/** The prefixes a location's table reads within the window. */
export function windowPrefixes(
  location: SourceLocation,
  window: { from: string; to: string },
): { bucket: string; prefix: string }[] {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location.location);
  if (!match) return [];
  const bucket = match[1] as string;
  const base = match[2] === '' || (match[2] as string).endsWith('/') ? (match[2] as string) : `${match[2]}/`;
  const accounts = location.accounts ?? [];
  const regions = location.regions ?? [];
  if (location.source !== 'cloudtrail' || accounts.length === 0 || regions.length === 0) {
    return [{ bucket, prefix: base }];
  }
  const org = location.organizationId ? `${location.organizationId}/` : '';
  const days = deliveryDays(window);
  return accounts.flatMap((account) =>
    regions.flatMap((region) =>
      days.map((day) => ({ bucket, prefix: `${base}AWSLogs/${org}${account}/CloudTrail/${region}/${day}/` })),
    ),
  );
}

function deliveryDays(window: { from: string; to: string }): string[] {
  const first = Date.parse(window.from.slice(0, 10)) - DAY_MS;
  const last = Date.parse(window.to.slice(0, 10)) + DAY_MS;
  const days: string[] = [];
  for (let at = first; at <= last; at += DAY_MS)
    days.push(new Date(at).toISOString().slice(0, 10).replaceAll('-', '/'));
  return days;
}
