import { InvalidRequestError } from '../errors.js';
import { qualifiedViewName } from './athena-case-sql.js';

/**
 * The one pass: a source that many hunts read is copied once, within the case window, to Parquet in
 * the case folder, and its view then reads the copy. The copy is bucketed by `eventname`, so a hunt
 * whose WHERE names its event names with `=` or `IN` reads only those names' bucket files ("Athena
 * determines the bucket that contains those records and only reads the files in that bucket"), and
 * of those only the column chunks it names.
 * https://docs.aws.amazon.com/athena/latest/ug/ctas-partitioning-and-bucketing-what-is-bucketing.html
 *
 * Not partitioned by day: every hunt reads the whole window, so a day partition would prune nothing,
 * and Athena writes at most 100 partitions or buckets per CTAS or INSERT INTO ("HIVE_TOO_MANY_OPEN_PARTITIONS:
 * Exceeded limit of 100 open writers for partitions/buckets",
 * https://docs.aws.amazon.com/athena/latest/ug/ctas-insert-into.html) and takes no INSERT INTO into
 * a bucketed table (the bucketing page above): days times buckets would have to stay under 100.
 * One CTAS with 100 buckets and no partitions reads the window's logs once.
 */
export const MAX_WRITERS_PER_STATEMENT = 100;
export const ONE_PASS_BUCKETS = MAX_WRITERS_PER_STATEMENT;
/** The column the copy is bucketed by: the one nearly every CloudTrail hunt filters on. */
export const ONE_PASS_BUCKET_COLUMN: Record<string, string> = { cloudtrail: 'eventname' };

const S3_FOLDER = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[A-Za-z0-9!_.*()/-]*\/$/;
const COLUMN_NAME = /^[a-z][a-z0-9_]{0,127}$/;

/**
 * The CTAS writing the source's view (already within the window) to Parquet at `location`, an empty
 * folder ("external_location ... must specify an empty location",
 * https://docs.aws.amazon.com/athena/latest/ug/create-table-as.html); zstd is one of the
 * compressions Athena writes for Parquet (https://docs.aws.amazon.com/athena/latest/ug/compression-support-zstd-levels.html).
 */
export function onePassCopySql(options: {
  database: string;
  source: string;
  copy: string;
  columns: string[];
  location: string;
}): string {
  if (!S3_FOLDER.test(options.location))
    throw new InvalidRequestError(`'${options.location}' is not an S3 folder the copy can be written to.`);
  const columns = options.columns.map((c) => `"${checkColumn(c)}"`).join(', ');
  const bucketColumn = ONE_PASS_BUCKET_COLUMN[options.source];
  const bucketing =
    bucketColumn && options.columns.includes(bucketColumn)
      ? [`  bucketed_by = ARRAY['${bucketColumn}'],`, `  bucket_count = ${ONE_PASS_BUCKETS},`]
      : [];
  return [
    `CREATE TABLE ${qualifiedViewName(options.database, options.copy)}`,
    'WITH (',
    "  format = 'PARQUET',",
    "  write_compression = 'ZSTD',",
    ...bucketing,
    `  external_location = '${options.location}'`,
    ') AS',
    `SELECT ${columns}`,
    `FROM ${qualifiedViewName(options.database, options.source)}`,
  ].join('\n');
}

/** The source's view once the copy holds its window: the copy's columns, nothing else to filter. */
export function viewOnCopySql(database: string, source: string, copy: string, columns: string[]): string {
  const list = columns.map((c) => `"${checkColumn(c)}"`).join(', ');
  return [
    `CREATE OR REPLACE VIEW ${qualifiedViewName(database, source)} AS`,
    `SELECT ${list}`,
    `FROM ${qualifiedViewName(database, copy)}`,
  ].join('\n');
}

function checkColumn(name: string): string {
  if (!COLUMN_NAME.test(name)) throw new InvalidRequestError(`'${name}' is not a valid column name.`);
  return name;
}
