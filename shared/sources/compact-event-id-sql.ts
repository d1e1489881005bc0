/**
 * CloudTrail's `eventID` is a random UUID, which no compression shrinks: as text (36 characters) it is
 * two thirds of the one-pass copy's bytes (about 20.6 bytes a row in zstd Parquet on the bench corpus),
 * and every hunt reads it for its evidence. The copy keeps it as its 16 bytes instead (about 16.3 bytes
 * a row): Athena's VARBINARY, BINARY in its DDL (https://docs.aws.amazon.com/athena/latest/ug/data-types.html),
 * written with Trino's `from_hex` and read back with `to_hex` (https://trino.io/docs/current/functions/binary.html).
 * An id that is not a lower-case UUID (CloudTrail writes them so, but nothing here trusts a log to) is
 * kept whole as text in a second column, null for every other row; the views over the copy give
 * `eventid` back exactly as written. The text is plain SQL both engines run, so the bench writes its
 * model of the copy with it too.
 */
export const COMPACT_EVENT_ID = 'eventid';
/** The copy's columns for the id: its 16 bytes when it is a lower-case UUID, else its text. */
export const EVENT_ID_BYTES = 'eventid_bytes';
export const EVENT_ID_TEXT = 'eventid_text';

const LOWER_CASE_UUID = "'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'";
/**
 * The length is tested besides the pattern: in Athena `$` also matches before a line terminator that
 * ends the text (Java's pattern syntax, https://trino.io/docs/current/functions/regexp.html), and an id
 * a line break ends would reach `from_hex`, whose refusal fails the whole copy, not the one record.
 */
const IS_UUID = `length("${COMPACT_EVENT_ID}") = 36 AND regexp_like("${COMPACT_EVENT_ID}", ${LOWER_CASE_UUID})`;

/** The copy's select-list entries for the id, in place of the `eventid` column. */
export function compactEventIdColumns(): string[] {
  return [
    `CASE WHEN ${IS_UUID} THEN from_hex(replace("${COMPACT_EVENT_ID}", '-', '')) END AS "${EVENT_ID_BYTES}"`,
    `CASE WHEN ${IS_UUID} THEN NULL ELSE "${COMPACT_EVENT_ID}" END AS "${EVENT_ID_TEXT}"`,
  ];
}

/** A view's select-list entry giving `eventid` back from the copy's two columns. */
export function eventIdFromCopy(): string {
  const hex = `lower(to_hex("${EVENT_ID_BYTES}"))`;
  const part = (from: number, length: number) => `substr(${hex}, ${from}, ${length})`;
  // `||` is null when a side is (DuckDB's concat() would skip a null and give '----').
  const uuid = [part(1, 8), part(9, 4), part(13, 4), part(17, 4), part(21, 12)].join(" || '-' || ");
  return `coalesce(${uuid}, "${EVENT_ID_TEXT}") AS "${COMPACT_EVENT_ID}"`;
}
