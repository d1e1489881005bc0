import { cloudtrailColumnNames } from './cloudtrail-schema.js';

/**
 * `cloudtrail_events`: the `cloudtrail` table with the three judgements every CloudTrail hunt makes,
 * written once instead of in every hunt: who acted, whether an AWS service acted on the customer's
 * behalf, and whether the call succeeded. The text is plain SQL both engines run unchanged; each
 * table builder creates it with one call, right after the `cloudtrail` table or view.
 *
 * Athena runs a view over a view ("You can create and run nested views as long as the query behind
 * the nested view is valid", https://docs.aws.amazon.com/athena/latest/ug/considerations-limitations-views.html),
 * with `CREATE [ OR REPLACE ] VIEW view_name AS query`
 * (https://docs.aws.amazon.com/athena/latest/ug/create-view.html); the partition projection of the
 * tables under the `cloudtrail` view is untouched, since the view adds columns and filters nothing.
 */
export const CLOUDTRAIL_EVENTS_VIEW = 'cloudtrail_events';
/**
 * `cloudtrail_activity`: every event of the window with `cloudtrail_events`' columns but the ids that
 * name one record, for the baselines a hunt compares against (who was active since when, from where,
 * in which regions). In Athena a hunt routed to some classes of the copy (shared/domain/event-classes.ts)
 * still reads every event through it, so its evidence comes from a scan of `cloudtrail_events` that
 * names its events, and the baseline reads narrow columns only: a random event id is most of the copy.
 */
export const CLOUDTRAIL_ACTIVITY_VIEW = 'cloudtrail_activity';
/** The columns that name one record: never read by a baseline (`eventid` is ~2/3 of the Parquet copy). */
export const RECORD_ID_COLUMNS = ['eventid', 'requestid', 'sharedeventid'] as const;

/**
 * The acting principal: its ARN, or the principal id where CloudTrail gives no ARN (AWS accounts
 * acting across accounts, some service principals).
 */
const ACTOR = 'coalesce(useridentity.arn, useridentity.principalid)';

/**
 * A call AWS made for the customer, not a person or a key: the identity is an AWS service
 * (`userIdentity.type` AWSService), the call was made by a service on the caller's behalf
 * (`invokedBy` names the service, or is "AWS Internal"), or the role is a service-linked role, which
 * only its service can assume: its name starts with `AWSServiceRole` and its path is
 * `/aws-service-role/<service>/`.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
 * `AWSReservedSSO_` roles are people signed in through IAM Identity Center, so they stay in.
 */
const BY_AWS_SERVICE = [
  "coalesce(useridentity.type, '') = 'AWSService'",
  "coalesce(useridentity.invokedby, '') LIKE '%amazonaws.com'",
  "coalesce(useridentity.invokedby, '') = 'AWS Internal'",
  "coalesce(useridentity.arn, '') LIKE 'arn:aws%:sts::%:assumed-role/AWSServiceRole%'",
  "coalesce(useridentity.sessioncontext.sessionissuer.arn, '') LIKE '%:role/aws-service-role/%'",
].join('\n    OR ');

/**
 * A call failed when CloudTrail records an error code. Sign-in events say so differently: a failed
 * console sign-in has no error code but `responseElements` `{"ConsoleLogin": "Failure"}` with an
 * `errorMessage`, and the other sign-in events (SwitchRole, CheckMfa, password recovery) record
 * their result the same way, under their own name.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
 * Calls on a list of member accounts (GuardDuty, Detective and Security Hub DeleteMembers,
 * DisassociateMembers...) succeed even when some accounts could not be processed and list those in
 * `unprocessedAccounts`; when every account asked for is listed there, nothing changed.
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DeleteMembers.html
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_DeleteMembers.html
 * Cast to varchar: Trino types the literals `varchar(7)`, and the one-pass copy stores the value, so
 * the view over the logs and the view over the copy give one type and a view over either never goes
 * stale when `cloudtrail_events` moves to the copy.
 */
const OUTCOME = [
  'CAST(CASE',
  "    WHEN coalesce(errorcode, '') <> '' THEN 'failure'",
  "    WHEN eventsource = 'signin.amazonaws.com'",
  `      AND regexp_like(coalesce(responseelements, ''), '"[A-Za-z]+"\\s*:\\s*"Failure"') THEN 'failure'`,
  `    WHEN json_array_length(json_extract(responseelements, '$.unprocessedAccounts')) > 0`,
  `      AND json_array_length(json_extract(responseelements, '$.unprocessedAccounts'))`,
  `        >= coalesce(json_array_length(json_extract(requestparameters, '$.accountIds')), json_array_length(json_extract(requestparameters, '$.AccountIds')), 0) THEN 'failure'`,
  `    WHEN json_array_length(json_extract(responseelements, '$.UnprocessedAccounts')) > 0`,
  `      AND json_array_length(json_extract(responseelements, '$.UnprocessedAccounts'))`,
  `        >= coalesce(json_array_length(json_extract(requestparameters, '$.AccountIds')), json_array_length(json_extract(requestparameters, '$.accountIds')), 0) THEN 'failure'`,
  "    ELSE 'success'",
  '  END AS varchar)',
].join('\n');

/**
 * The view's columns beyond the table's, each with its expression over the table's columns. The
 * embedded engine computes them once per event as it writes its columnar copy, instead of in every
 * hunt (see the table builder); the view below is the definition both engines share.
 */
export const CLOUDTRAIL_EVENTS_COLUMNS: readonly { name: string; sql: string }[] = [
  { name: 'actor', sql: ACTOR },
  { name: 'by_aws_service', sql: `(${BY_AWS_SERVICE})` },
  { name: 'outcome', sql: OUTCOME },
];

/**
 * The view's statement; `qualify` quotes a name for the engine (`"db"."cloudtrail_events"` on
 * Athena, `"cloudtrail_events"` locally).
 */
export function cloudtrailEventsViewSql(qualify = (name: string) => `"${name}"`): string {
  return [
    `CREATE OR REPLACE VIEW ${qualify(CLOUDTRAIL_EVENTS_VIEW)} AS`,
    'SELECT',
    '  *,',
    CLOUDTRAIL_EVENTS_COLUMNS.map((c) => `  ${c.sql} AS ${c.name}`).join(',\n'),
    `FROM ${qualify('cloudtrail')}`,
  ].join('\n');
}

/** The activity view's statement, over `events`, an engine's qualified name of a `cloudtrail_events` view. */
export function cloudtrailActivityViewSql(view: string, events: string): string {
  const ids: readonly string[] = RECORD_ID_COLUMNS;
  const columns = [
    ...cloudtrailColumnNames.filter((name) => !ids.includes(name)),
    ...CLOUDTRAIL_EVENTS_COLUMNS.map((c) => c.name),
  ];
  return [
    `CREATE OR REPLACE VIEW ${view} AS`,
    `SELECT ${columns.map((c) => `"${c}"`).join(', ')}`,
    `FROM ${events}`,
  ].join('\n');
}
