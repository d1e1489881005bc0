import { createHash } from 'node:crypto';
import {
  BUCKETS_PER_CLASS,
  CLASSED_SOURCE,
  EVENT_CLASS_COLUMN,
  type EventRoute,
  ROUTE_CLASSES,
} from '../domain/event-classes.js';
import { InvalidRequestError } from '../errors.js';
import {
  CLASSED_NAME_COLUMN,
  eventClassExpression,
  type NamedClasses,
} from '../sources/cloudtrail-class-sql.js';
import {
  CLOUDTRAIL_ACTIVITY_VIEW,
  CLOUDTRAIL_EVENTS_COLUMNS,
  CLOUDTRAIL_EVENTS_VIEW,
  cloudtrailActivityViewSql,
} from '../sources/cloudtrail-view.js';
import { COMPACT_EVENT_ID, compactEventIdColumns, eventIdFromCopy } from '../sources/compact-event-id-sql.js';
import { sqlString } from '../sources/source-sql.js';
import { qualifiedViewName } from './athena-case-sql.js';

/**
 * The one pass: a source that many hunts read is copied once, within the case window, to Parquet in
 * the case folder, and its view then reads the copy. The CloudTrail copy is partitioned by event
 * class (shared/domain/event-classes.ts) and, within each class, bucketed by `eventname`. A hunt whose
 * WHERE names its event names with `=` or `IN` reads only those names' bucket files ("Athena
 * determines the bucket that contains those records and only reads the files in that bucket"), and
 * of those only the column chunks it names; a routed hunt reads its route's class partitions alone
 * (ROUTE_CLASSES), so a busy event it does not name is never in its files.
 * https://docs.aws.amazon.com/athena/latest/ug/ctas-partitioning-and-bucketing-what-is-bucketing.html
 * https://docs.aws.amazon.com/athena/latest/ug/bucketing-vs-partitioning.html
 *
 * Athena takes no INSERT INTO into a bucketed table (the bucketing page above) and opens at most 100
 * writers per CTAS (MAX_WRITERS_PER_STATEMENT in event-classes.ts), so one CTAS writes every class in
 * BUCKETS_PER_CLASS buckets. Not partitioned by day: every hunt reads the whole window, so a day
 * partition would prune nothing.
 */
/** The column the copy is bucketed by: the one nearly every CloudTrail hunt filters on. */
export const ONE_PASS_BUCKET_COLUMN: Record<string, string> = { cloudtrail: CLASSED_NAME_COLUMN };
/**
 * A statement's text is at most 262,144 bytes, not adjustable
 * (https://repost.aws/knowledge-center/athena-query-string-length).
 */
export const MAX_QUERY_BYTES = 262_144;

const S3_FOLDER = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[A-Za-z0-9!_.*()/-]*\/$/;
const COLUMN_NAME = /^[a-z][a-z0-9_]{0,127}$/;

/**
 * The CTAS writing the source's view (already within the window) to Parquet at `location`, an empty
 * folder ("external_location ... must specify an empty location",
 * https://docs.aws.amazon.com/athena/latest/ug/create-table-as.html); zstd is one of the
 * compressions Athena writes for Parquet (https://docs.aws.amazon.com/athena/latest/ug/compression-support-zstd-levels.html).
 *
 * A bucketed source is partitioned by its event class, the partition column last in the SELECT as
 * CTAS requires (create-table-as.html above). The named events are written into the text as escaped
 * literals, not bound: execution parameters may stand only in a WHERE clause ("SELECT ? FROM table
 * is not supported", https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html),
 * and the class is computed in the SELECT list.
 */
export function onePassCopySql(options: {
  database: string;
  source: string;
  copy: string;
  columns: string[];
  location: string;
  /** The events of the named classes: the light and the heavy names and patterns the case's routed hunts name. */
  namedEvents: NamedClasses;
}): string {
  if (!S3_FOLDER.test(options.location))
    throw new InvalidRequestError(`'${options.location}' is not an S3 folder the copy can be written to.`);
  const columns = copiedColumnsSql(options.source, options.columns);
  const bucketColumn = ONE_PASS_BUCKET_COLUMN[options.source];
  const classed = bucketColumn !== undefined && options.columns.includes(bucketColumn);
  const layout = classed
    ? [
        `  partitioned_by = ARRAY['${EVENT_CLASS_COLUMN}'],`,
        `  bucketed_by = ARRAY['${bucketColumn}'],`,
        `  bucket_count = ${BUCKETS_PER_CLASS},`,
      ]
    : [];
  const select = classed ? [...columns, eventClassExpression(bucketColumn, options.namedEvents)] : columns;
  const sql = [
    `CREATE TABLE ${qualifiedViewName(options.database, options.copy)}`,
    'WITH (',
    "  format = 'PARQUET',",
    "  write_compression = 'ZSTD',",
    ...layout,
    `  external_location = '${options.location}'`,
    ') AS',
    `SELECT ${select.join(', ')}`,
    `FROM ${qualifiedViewName(options.database, options.source)}`,
  ].join('\n');
  const bytes = new TextEncoder().encode(sql).length;
  if (bytes > MAX_QUERY_BYTES)
    throw new InvalidRequestError(
      `The one-pass copy of ${options.source} would be ${bytes} bytes of SQL; Athena takes at most ${MAX_QUERY_BYTES}.`,
    );
  return sql;
}

/** The source's view once the copy holds its window: the copy's columns, every event class. */
export function viewOnCopySql(database: string, source: string, copy: string, columns: string[]): string {
  return copyViewSql(
    qualifiedViewName(database, source),
    qualifiedViewName(database, copy),
    tableColumnsOfCopy(source, columns),
    null,
  );
}

/**
 * `cloudtrail_events` once the copy holds the window: the copy's columns with the judgements it stored
 * (actor, by_aws_service, outcome), every event class. Until it is made, the view computes them from
 * the `cloudtrail` view, on the copy too: the same values, read from wider columns.
 */
export function eventsViewOnCopySql(database: string, copy: string, columns: string[]): string {
  return copyViewSql(
    qualifiedViewName(database, CLOUDTRAIL_EVENTS_VIEW),
    qualifiedViewName(database, copy),
    eventsColumnsOfCopy(columns),
    null,
  );
}

/**
 * The copy's select list before its class: the source's columns, the CloudTrail event id in 16 bytes
 * (shared/sources/compact-event-id-sql.ts), and the judgements the copy stores. The bench writes its
 * model of the copy with it too (bench/athena-copy-profile.ts).
 */
export function copiedColumnsSql(source: string, columns: string[]): string[] {
  return [
    ...withEventId(source, columns, compactEventIdColumns()),
    ...storedJudgements(source).map((c) => `${c.sql} AS "${c.name}"`),
  ];
}

/**
 * What the CloudTrail copy stores beyond the table's columns: `cloudtrail_events`' judgements, each
 * computed once as the copy is written, as the embedded engine does. A hunt naming `actor` then reads
 * that column, not the whole `useridentity` struct, and `outcome`, not the request and the response.
 */
function storedJudgements(source: string): readonly { name: string; sql: string }[] {
  return source === CLASSED_SOURCE ? CLOUDTRAIL_EVENTS_COLUMNS : [];
}

/** The columns, quoted, the CloudTrail copy's event id in the form given: as written, or read back. */
function withEventId(source: string, columns: string[], eventId: string[]): string[] {
  const compactId = source === CLASSED_SOURCE && columns.includes(COMPACT_EVENT_ID);
  return columns.flatMap((c) => (compactId && c === COMPACT_EVENT_ID ? eventId : [`"${checkColumn(c)}"`]));
}

/** The select list giving the table's columns from the copy, the event id as text. */
function tableColumnsOfCopy(source: string, columns: string[]): string[] {
  return withEventId(source, columns, [eventIdFromCopy()]);
}

function eventsColumnsOfCopy(columns: string[]): string[] {
  return [
    ...tableColumnsOfCopy(CLASSED_SOURCE, columns),
    ...storedJudgements(CLASSED_SOURCE).map((c) => `"${c.name}"`),
  ];
}

/** A view of the copy through a select list, of the listed event classes only, or of all of them (null). */
function copyViewSql(view: string, copy: string, select: string[], classes: string[] | null): string {
  return [
    `CREATE OR REPLACE VIEW ${view} AS`,
    `SELECT ${select.join(', ')}`,
    `FROM ${copy}`,
    ...(classes ? [`WHERE "${EVENT_CLASS_COLUMN}" IN (${classes.map(sqlString).join(', ')})`] : []),
  ].join('\n');
}

/**
 * The database whose `cloudtrail` and `cloudtrail_events` views read only the classes of a route. A
 * routed hunt runs its unchanged text there (its unqualified names resolve in the query's database),
 * so the SQL stays the one both engines run. The name keeps the case database's prefix (which the IAM
 * policies grant) and a hash of it and the route, so two long case databases never share one.
 */
export function routedDatabase(database: string, route: EventRoute): string {
  const hash = createHash('sha256').update(`${database}/${route}`).digest('hex').slice(0, 8);
  return `${database.slice(0, 230)}_${route.replaceAll('-', '_')}_${hash}`;
}

/**
 * The CloudTrail views of a route's database, over the case database's copy, in order: `cloudtrail`
 * and `cloudtrail_events` of the route's classes, and `cloudtrail_activity` of every class (the case
 * database's events), which a routed hunt's baselines read.
 */
export function routedViewsSql(
  database: string,
  route: EventRoute,
  copy: string,
  columns: string[],
): string[] {
  const routed = routedDatabase(database, route);
  const classes = ROUTE_CLASSES[route];
  const copied = qualifiedViewName(database, copy);
  return [
    copyViewSql(
      qualifiedViewName(routed, CLASSED_SOURCE),
      copied,
      tableColumnsOfCopy(CLASSED_SOURCE, columns),
      classes,
    ),
    copyViewSql(
      qualifiedViewName(routed, CLOUDTRAIL_EVENTS_VIEW),
      copied,
      eventsColumnsOfCopy(columns),
      classes,
    ),
    cloudtrailActivityViewSql(
      qualifiedViewName(routed, CLOUDTRAIL_ACTIVITY_VIEW),
      qualifiedViewName(database, CLOUDTRAIL_EVENTS_VIEW),
    ),
  ];
}

function checkColumn(name: string): string {
  if (!COLUMN_NAME.test(name)) throw new InvalidRequestError(`'${name}' is not a valid column name.`);
  return name;
}
