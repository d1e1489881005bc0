/**
 * One CloudTrail event the story is built from: the identity that made it, where from, and its request
 * and response as parsed JSON. Fields follow the CloudTrail record
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)
 * and its userIdentity element
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
 */
export interface StoryEvent {
  time: string;
  eventId: string;
  eventName: string;
  eventSource: string;
  account: string;
  region: string;
  identityType: string | null;
  actorArn: string | null;
  accessKeyId: string | null;
  identityAccount: string | null;
  issuerArn: string | null;
  sourceIdentity: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  errorCode: string | null;
  request: Record<string, unknown>;
  response: Record<string, unknown>;
}

/** A row the story could not use, kept with its reason: it costs only itself. */
export interface QuarantinedRow {
  eventId: string | null;
  reason: string;
}

/** The columns the story queries select, in the names the rows carry. */
export const storyEventColumns = `
    c.eventtime AS event_time,
    c.eventid AS event_id,
    c.eventname AS event_name,
    c.eventsource AS event_source,
    c.recipientaccountid AS account_id,
    c.awsregion AS region,
    c.useridentity.type AS identity_type,
    c.useridentity.arn AS actor_arn,
    c.useridentity.accesskeyid AS access_key_id,
    c.useridentity.accountid AS identity_account_id,
    c.useridentity.sessioncontext.sessionissuer.arn AS issuer_arn,
    c.useridentity.sessioncontext.sourceidentity AS source_identity,
    c.sourceipaddress AS source_ip,
    c.useragent AS user_agent,
    c.errorcode AS error_code,
    CAST(c.requestparameters AS varchar) AS request_parameters,
    CAST(c.responseelements AS varchar) AS response_elements`;

/**
 * The story queries' order: by time and event id, then every other column, so that no two rows an
 * engine could swap remain (a cross-account call is recorded in both accounts with the same time).
 */
export const storyEventOrder =
  'event_time, event_id, account_id, event_name, region, event_source, identity_type, actor_arn, access_key_id, identity_account_id, issuer_arn, source_identity, source_ip, user_agent, error_code, request_parameters, response_elements';

/** The same order in the story: by time, then event id, then account (Array.prototype.sort is stable for the rest). */
export function inStoryOrder(a: StoryEvent, b: StoryEvent): number {
  return compare(a.time, b.time) || compare(a.eventId, b.eventId) || compare(a.account, b.account);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type Row = Record<string, string | null>;

/** Rows to events; a row without time, id or name, or with a request or response that is not JSON, is quarantined. */
export function parseStoryEvents(rows: Row[]): { events: StoryEvent[]; quarantined: QuarantinedRow[] } {
  const events: StoryEvent[] = [];
  const quarantined: QuarantinedRow[] = [];
  for (const row of rows) {
    const eventId = row.event_id ?? null;
    if (!row.event_time || !eventId || !row.event_name) {
      quarantined.push({ eventId, reason: 'no event time, id or name' });
      continue;
    }
    const request = jsonObject(row.request_parameters);
    const response = jsonObject(row.response_elements);
    if (request === undefined || response === undefined) {
      quarantined.push({ eventId, reason: 'requestParameters or responseElements is not a JSON object' });
      continue;
    }
    events.push({
      time: row.event_time,
      eventId,
      eventName: row.event_name,
      eventSource: row.event_source ?? '',
      account: row.account_id ?? '',
      region: row.region ?? '',
      identityType: row.identity_type ?? null,
      actorArn: row.actor_arn ?? null,
      accessKeyId: blankToNull(row.access_key_id),
      identityAccount: row.identity_account_id ?? null,
      issuerArn: row.issuer_arn ?? null,
      sourceIdentity: row.source_identity ?? null,
      sourceIp: row.source_ip ?? null,
      userAgent: row.user_agent ?? null,
      errorCode: blankToNull(row.error_code),
      request,
      response,
    });
  }
  return { events, quarantined };
}

/** Null and the JSON literal null are an empty object; anything but an object is undefined (quarantined). */
function jsonObject(text: string | null | undefined): Record<string, unknown> | undefined {
  if (text === null || text === undefined || text === '' || text === 'null') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value === null) return {};
    return typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const blankToNull = (value: string | null | undefined) =>
  value === undefined || value === '' ? null : value;

/** A string at a path of an event's request or response, or null. */
export function textAt(object: unknown, ...path: string[]): string | null {
  let value: unknown = object;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Whether the call took effect. An error code means it did not; a failed console sign-in carries no
 * error code but `responseElements.ConsoleLogin = "Failure"`
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html).
 */
export function succeeded(event: StoryEvent): boolean {
  if (event.errorCode) return false;
  if (event.eventName === 'ConsoleLogin') return textAt(event.response, 'ConsoleLogin') === 'Success';
  return true;
}

/** An IAM user's ARN from its account and name; the path is not in the events that name a user. */
export function userKey(account: string, userName: string): string {
  return `${account}:user/${userName}`;
}

/** The same key for a user ARN (`arn:aws:iam::123:user/path/name`), whatever its path. */
export function userKeyOfArn(arn: string | null): string | null {
  const match = /^arn:aws[a-z-]*:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(arn ?? '');
  return match ? userKey(match[1] as string, match[2] as string) : null;
}

/** A trail as StopLogging and StartLogging name it: its name, or its ARN. */
export function trailName(name: string | null): string {
  return (name ?? '').replace(/^arn:aws[a-z-]*:cloudtrail:[^:]*:\d{12}:trail\//, '');
}
