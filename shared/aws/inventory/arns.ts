/** An S3 folder: a bucket and a key prefix that is empty or ends with `/`. */
export interface S3Folder {
  bucket: string;
  prefix: string;
}

const S3_ARN = /^arn:aws[a-z-]*:s3:::([^/]+)(?:\/(.*))?$/;
const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:(.+?)(?::\*)?$/;
const ACCOUNT_ID = /^\d{12}$/;

/**
 * `arn:aws:s3:::bucket/some/prefix` → the folder services deliver `AWSLogs/` into. A prefix is a
 * folder to every service that takes an ARN (flow logs, Resolver, GuardDuty, WAF), so a missing
 * trailing slash is added.
 */
export function s3FolderOfArn(arn: string): S3Folder | undefined {
  const match = S3_ARN.exec(arn);
  if (!match?.[1]) return undefined;
  return { bucket: match[1], prefix: folderPrefix(match[2]) };
}

/** `a/b` or `/a/b/` → `a/b/`; nothing → ``. */
export function folderPrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** The folder holding keys that start with `prefix` (`logs/web-` → `logs/`), for file-name prefixes. */
export function enclosingFolder(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  return trimmed.slice(0, trimmed.lastIndexOf('/') + 1);
}

export function s3Uri(folder: S3Folder): string {
  return `s3://${folder.bucket}/${folder.prefix}`;
}

/** `arn:aws:logs:<region>:<account>:log-group:<name>[:*]` → its parts. */
export function logGroupOfArn(arn: string): { region: string; account: string; name: string } | undefined {
  const match = LOG_GROUP_ARN.exec(arn);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { region: match[1], account: match[2], name: match[3] };
}

/** The account of any ARN, or null. */
export function accountOfArn(arn: string | undefined): string | null {
  const account = arn?.split(':')[4];
  return account && ACCOUNT_ID.test(account) ? account : null;
}

/** The service of an ARN (`firehose`, `s3`, `logs`), to name a destination no inventory reads. */
export function serviceOfArn(arn: string): string {
  return arn.split(':')[2] ?? '';
}
