import type { ActivityRow, ActivitySubjects } from './closure.js';
import type { DataEventRow, SilenceRow, VolumeRow } from './completeness.js';
import { SILENCE_MINUTES } from './completeness.js';
import { type CredentialUse, temporaryCredentialEventNames } from './lineage.js';
import { storyEventColumns, storyEventOrder } from './story-event.js';

/**
 * The story's queries over the `cloudtrail` table, in Athena (Trino) SQL that runs unchanged on DuckDB.
 * Values are bound parameters, only in WHERE clauses, one newline-joined list per `?`
 * (https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html).
 * Every query orders its rows fully: the story built from them must not change with the order in
 * which an engine happens to return rows (threads, or a table stored sorted by event name).
 */

/** Every event with one of the given names. */
export const storyEventsSql = `
  SELECT ${storyEventColumns}
  FROM cloudtrail c
  WHERE contains(split(?, chr(10)), c.eventname)
  ORDER BY ${storyEventOrder}`;

/** The temporary-credential event names as SQL literals: constants of the code, never values from a case. */
const temporaryCredentialNames = temporaryCredentialEventNames.map((name) => `'${name}'`).join(', ');
const mintedKey = (alias: string) =>
  `json_extract_scalar(${alias}.responseelements, '$.credentials.accessKeyId')`;

/**
 * For each temporary credential used in the logs (an access key id some record was signed with), the
 * first successful call that minted it (`responseElements.credentials.accessKeyId`,
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html): the only one of its
 * mintings the lineage reads. Every role assumption is a minting, most of them repeat or are never
 * used, so the engine picks these few instead of the story reading them all. "First" is by event
 * time, then event id. Mintings are grouped before they are matched with the used keys (there are
 * fewer credentials than mintings); another row with the same event id (the same call recorded in a
 * second account, or delivered twice) comes too, and the lineage keeps the first of each credential.
 * The keys used are read from `cloudtrail_activity`, every event whatever classes `cloudtrail` reads
 * where the story is routed (story-route.ts).
 */
export const usedMintingsSql = `
  SELECT ${storyEventColumns}
  FROM cloudtrail c
  WHERE c.eventname IN (${temporaryCredentialNames})
    AND c.eventid IN (
      SELECT first_minting
      FROM (
        SELECT
          ${mintedKey('m')} AS minted_key,
          min_by(m.eventid, m.eventtime || ' ' || m.eventid) AS first_minting
        FROM cloudtrail m
        WHERE m.eventname IN (${temporaryCredentialNames}) AND coalesce(m.errorcode, '') = ''
        GROUP BY 1
      ) mintings
      WHERE minted_key IN (
        SELECT u.useridentity.accesskeyid FROM cloudtrail_activity u WHERE u.useridentity.accesskeyid <> ''
      )
    )
  ORDER BY ${storyEventOrder}`;

/**
 * A user's ARN as `<account>:user/<name>` whatever its path, the key `userKeyOfArn` gives; another
 * ARN gives NULL or a value no user key equals (DuckDB's regexp_extract gives '' where Trino gives NULL).
 */
const callerUserKey = `regexp_extract(c.useridentity.arn, '^arn:aws[a-z-]*:iam::([0-9]{12}):user/', 1) || ':user/' || regexp_extract(c.useridentity.arn, '[^/]+$')`;

/**
 * Every minting of temporary credentials made from one of a list of addresses (first `?`), with one of
 * a list of keys (second), or by one of a list of principals (third and fourth, the same list: ARNs,
 * and users as `userKeyOfArn` names them): the attacker's, whether or not the credentials were ever
 * used. One scan for the three lists; the story then keeps the calls its attacker test accepts.
 */
export const mintingsBySql = `
  SELECT ${storyEventColumns}
  FROM cloudtrail c
  WHERE c.eventname IN (${temporaryCredentialNames})
    AND (
      contains(split(?, chr(10)), c.sourceipaddress)
      OR contains(split(?, chr(10)), c.useridentity.accesskeyid)
      OR contains(split(?, chr(10)), c.useridentity.arn)
      OR (c.useridentity.arn LIKE '%:user/%' AND contains(split(?, chr(10)), ${callerUserKey}))
    )
  ORDER BY ${storyEventOrder}`;

/** Bound for a list with no value left: a single space, which is no address, key, ARN or account. */
const NO_VALUE = ' ';

/**
 * Lists bound side by side, one query for all: each list in runs that fit one parameter
 * (`parameterRuns`), the n-th run of every list together. A value too long to bind is returned apart.
 */
function listsInRuns(lists: string[][]): { runs: string[][]; tooLong: string[] } {
  const parts = lists.map((values) => parameterRuns(values));
  const count = Math.max(0, ...parts.map((p) => p.runs.length));
  return {
    runs: Array.from({ length: count }, (_, n) => parts.map((p) => p.runs[n] ?? NO_VALUE)),
    tooLong: parts.flatMap((p) => p.tooLong),
  };
}

/** The parameters of `mintingsBySql`, run by run. */
export function mintingsByParameters(callers: { ips: string[]; keys: string[]; principals: string[] }) {
  const { runs, tooLong } = listsInRuns([callers.ips, callers.keys, callers.principals]);
  return {
    runs: runs.map(([ips, keys, principals]) => [ips, keys, principals, principals] as string[]),
    tooLong,
  };
}

/** Each access key's use: who, first and last call, how many, from how many addresses. */
export const credentialUseSql = `
  SELECT
    c.useridentity.accesskeyid AS access_key_id,
    c.useridentity.arn AS actor_arn,
    c.useridentity.type AS identity_type,
    c.recipientaccountid AS account_id,
    c.sessioncredentialfromconsole AS from_console,
    min(c.eventtime) AS first_seen,
    max(c.eventtime) AS last_seen,
    count(*) AS events,
    count(DISTINCT c.sourceipaddress) AS addresses,
    min(c.sourceipaddress) AS an_address
  FROM cloudtrail c
  WHERE c.useridentity.accesskeyid IS NOT NULL AND c.useridentity.accesskeyid <> ''
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 2, 3, 4, 5`;

/**
 * What a round's indicators did, grouped by credential, address and tool: calls with one of a list of
 * keys (first `?`), by or under one of a list of principals (second and third: the caller's ARN or its
 * session's issuer), from one of a list of addresses (fourth), or by one of a list of accounts (fifth).
 * One scan for every kind; each group is wholly in or out, since the test reads only grouped columns,
 * so an indicator's rows are the groups that name it.
 */
export const activitySql = `
  SELECT
    c.useridentity.accesskeyid AS access_key_id,
    c.useridentity.arn AS actor_arn,
    c.useridentity.sessioncontext.sessionissuer.arn AS issuer_arn,
    c.useridentity.accountid AS identity_account_id,
    c.sourceipaddress AS source_ip,
    c.useragent AS user_agent,
    min(c.eventtime) AS first_seen,
    max(c.eventtime) AS last_seen,
    count(*) AS events
  FROM cloudtrail c
  WHERE contains(split(?, chr(10)), c.useridentity.accesskeyid)
    OR contains(split(?, chr(10)), c.useridentity.arn)
    OR contains(split(?, chr(10)), c.useridentity.sessioncontext.sessionissuer.arn)
    OR contains(split(?, chr(10)), c.sourceipaddress)
    OR contains(split(?, chr(10)), c.useridentity.accountid)
  GROUP BY 1, 2, 3, 4, 5, 6
  ORDER BY 1, 2, 3, 4, 5, 6`;

/** The parameters of `activitySql`, run by run. */
export function activityParameters(subjects: ActivitySubjects) {
  const { runs, tooLong } = listsInRuns([
    subjects.accessKey ?? [],
    subjects.principal ?? [],
    subjects.ip ?? [],
    subjects.account ?? [],
  ]);
  return {
    runs: runs.map(
      ([keys, principals, ips, accounts]) => [keys, principals, principals, ips, accounts] as string[],
    ),
    tooLong,
  };
}

/**
 * Intervals longer than `?` seconds between two consecutive records of an account, or of an account and
 * region. A record whose time is not ISO 8601 makes its interval NULL (dropped), not the query fail.
 *
 * The records are first folded into minutes (the first and last record of each): CloudTrail writes
 * `eventTime` in UTC as `YYYY-MM-DDTHH:MM:SSZ`, so two records of the same minute are less than 60
 * seconds apart, and every longer interval runs from one minute's last record to the next non-empty
 * minute's first. The answer is the same as a window over every record for any `?` of 60 seconds or
 * more, and the window sorts minutes instead of records: over every event of a 10-million-event
 * case, the window over records held more memory than the engine's limit.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export function silencesSql(perRegion: boolean): string {
  return `
  SELECT account_id, region, previous_time AS silence_from, event_time AS silence_to
  FROM (
    SELECT
      account_id,
      region,
      first_time AS event_time,
      lag(last_time) OVER (PARTITION BY account_id, region ORDER BY minute) AS previous_time
    FROM (
      SELECT
        c.recipientaccountid AS account_id,
        ${perRegion ? 'c.awsregion' : "'*'"} AS region,
        substr(c.eventtime, 1, 16) AS minute,
        min(c.eventtime) AS first_time,
        max(c.eventtime) AS last_time
      FROM cloudtrail c
      GROUP BY 1, 2, 3
    ) minutes
  ) t
  WHERE previous_time IS NOT NULL
    AND date_diff('second', try(from_iso8601_timestamp(previous_time)), try(from_iso8601_timestamp(event_time))) > ?
  ORDER BY account_id, region, silence_from, silence_to`;
}

/** The shortest silence the silence queries return; the completeness check then keeps the unusual ones. */
export const SILENCE_SECONDS = SILENCE_MINUTES * 60;

/** Records per account and region, with the first and last. */
export const volumesSql = `
  SELECT c.recipientaccountid AS account_id, c.awsregion AS region, count(*) AS events,
    min(c.eventtime) AS first_seen, max(c.eventtime) AS last_seen
  FROM cloudtrail c
  GROUP BY 1, 2
  ORDER BY 1, 2`;

/** Data events per account, service and bucket or function: which resources have any at all. */
export const dataEventsSql = `
  SELECT
    c.recipientaccountid AS account_id,
    c.eventsource AS service,
    coalesce(json_extract_scalar(c.requestparameters, '$.bucketName'), json_extract_scalar(c.requestparameters, '$.functionName')) AS resource,
    count(*) AS events,
    min(c.eventtime) AS first_seen,
    max(c.eventtime) AS last_seen
  FROM cloudtrail c
  WHERE c.eventcategory = 'Data' OR c.managementevent = 'false'
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3`;

/** Athena takes at most 1,024 characters per parameter value: a long list runs in several parts. */
export const MAX_PARAMETER_CHARS = 1_000;

/** Values in runs that each fit one parameter; a single value too long to bind is returned apart, never truncated. */
export function parameterRuns(values: string[]): { runs: string[]; tooLong: string[] } {
  const runs: string[] = [];
  const tooLong: string[] = [];
  let current: string[] = [];
  for (const value of values) {
    if (value.length > MAX_PARAMETER_CHARS) {
      tooLong.push(value);
      continue;
    }
    const next = [...current, value].join('\n');
    if (next.length > MAX_PARAMETER_CHARS && current.length > 0) {
      runs.push(current.join('\n'));
      current = [value];
    } else current.push(value);
  }
  if (current.length > 0) runs.push(current.join('\n'));
  return { runs, tooLong };
}

type Row = Record<string, string | null>;

/** A row of `credentialUseSql`. */
export function readCredentialUse(r: Row): CredentialUse {
  return {
    accessKeyId: r.access_key_id ?? '',
    actorArn: r.actor_arn ?? null,
    identityType: r.identity_type ?? null,
    account: r.account_id ?? '',
    firstSeen: r.first_seen ?? '',
    lastSeen: r.last_seen ?? '',
    events: Number(r.events ?? 0),
    addresses: Number(r.addresses ?? 0),
    anAddress: r.an_address ?? null,
    fromConsole: r.from_console === 'true',
  };
}

/** The columns `activitySql` groups by: two rows with the same are the same group. */
export function activityGroup(row: ActivityRow) {
  return [row.accessKeyId, row.actorArn, row.issuerArn, row.identityAccount, row.sourceIp, row.userAgent];
}

/** A row of `activitySql`. */
export function readActivityRow(r: Row): ActivityRow {
  return {
    accessKeyId: r.access_key_id || null,
    actorArn: r.actor_arn ?? null,
    issuerArn: r.issuer_arn ?? null,
    identityAccount: r.identity_account_id ?? null,
    sourceIp: r.source_ip ?? null,
    userAgent: r.user_agent ?? null,
    firstSeen: r.first_seen ?? '',
    lastSeen: r.last_seen ?? '',
    events: Number(r.events ?? 0),
  };
}

/** A row of `volumesSql`. */
export function readVolume(r: Row): VolumeRow {
  return {
    account: r.account_id ?? '',
    region: r.region ?? '',
    events: Number(r.events ?? 0),
    first: r.first_seen ?? '',
    last: r.last_seen ?? '',
  };
}

/** A row of `silencesSql`. */
export function readSilence(r: Row): SilenceRow {
  return {
    account: r.account_id ?? '',
    region: r.region ?? '',
    from: r.silence_from ?? '',
    to: r.silence_to ?? '',
  };
}

/** A row of `dataEventsSql`. */
export function readDataEvent(r: Row): DataEventRow {
  return {
    account: r.account_id ?? '',
    service: r.service ?? '',
    resource: r.resource ?? null,
    events: Number(r.events ?? 0),
    first: r.first_seen ?? '',
    last: r.last_seen ?? '',
  };
}
