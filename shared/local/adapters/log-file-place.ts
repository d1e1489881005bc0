import type { CaseScope } from '../../domain/case-scope.js';
import type { LogSourceId } from '../../domain/log-sources.js';

/** The accounts and regions a log file names: by its delivery path, or by its first records. */
export interface LogFilePlace {
  accounts: string[];
  regions: string[];
  /** `path` when the S3 delivery key says it, `records` when the records read from the head do. */
  from: 'path' | 'records' | null;
}

/**
 * S3 deliveries under `AWSLogs/` (CloudTrail, flow logs, load balancers, GuardDuty) put the account
 * and then the region in the key: `AWSLogs/[o-org/]<account>/<service>/<region>/`.
 */
const DELIVERY_PATH =
  /(?:^|[/\\])AWSLogs[/\\](?:o-[a-z0-9]{10,32}[/\\])?(\d{12})[/\\][^/\\]+[/\\]([a-z]{2}(?:-[a-z]+)+-\d{1,2})[/\\]/;
/**
 * A CloudTrail file keeps both in its own name, wherever it was copied to:
 * `AccountID_CloudTrail_RegionName_YYYYMMDDTHHmmZ_UniqueString.json.gz`.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
const TRAIL_FILE_NAME = /(?:^|[/\\])(\d{12})_CloudTrail_([a-z]{2}(?:-[a-z]+)+-\d{1,2})_\d{8}T\d{4}Z_[^/\\]*$/;
/** A CloudTrail record's account (the one it was delivered to) and region. */
const RECIPIENT = /"recipientAccountId"\s*:\s*"(\d{12})"/g;
const REGION = /"awsRegion"\s*:\s*"([a-z]{2}(?:-[a-z]+)+-\d{1,2})"/g;

export function logFilePlace(path: string, source: LogSourceId, head: string): LogFilePlace {
  const delivered = DELIVERY_PATH.exec(path) ?? TRAIL_FILE_NAME.exec(path);
  if (delivered)
    return { accounts: [delivered[1] as string], regions: [delivered[2] as string], from: 'path' };
  if (source !== 'cloudtrail') return { accounts: [], regions: [], from: null };
  const accounts = [...new Set([...head.matchAll(RECIPIENT)].map((m) => m[1] as string))].sort();
  const regions = [...new Set([...head.matchAll(REGION)].map((m) => m[1] as string))].sort();
  return { accounts, regions, from: accounts.length + regions.length > 0 ? 'records' : null };
}

/**
 * Whether a file is outside the case's accounts or regions: every account (or region) it names is
 * one not asked for. A file naming some asked and some other ones is read whole; `mixed` says so.
 */
export function placeOutsideScope(
  place: LogFilePlace,
  scope: CaseScope | undefined,
): { outside: string | null; mixed: string | null } {
  let mixed: string | null = null;
  for (const [dimension, named] of [
    ['account', place.accounts],
    ['region', place.regions],
  ] as const) {
    const asked = dimension === 'account' ? scope?.accounts : scope?.regions;
    if (!asked || named.length === 0) continue;
    const inside = named.filter((value) => asked.includes(value));
    const how = place.from === 'path' ? 'its delivery path' : 'its records';
    if (inside.length === 0) {
      return {
        outside: `${how} name${place.from === 'path' ? 's' : ''} ${dimension} ${named.join(', ')}, not asked for (${asked.join(', ')})`,
        mixed: null,
      };
    }
    if (inside.length < named.length)
      mixed = `its first records name ${dimension}s ${named.join(', ')}, some asked for and some not: read whole`;
  }
  return { outside: null, mixed };
}
