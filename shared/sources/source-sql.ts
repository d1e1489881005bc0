/**
 * SQL text every source module needs: literals, DuckDB's reader options, reading a file as raw
 * lines, and how one module's Athena DDL is split into statements.
 */

/** A string literal in both engines' SQL (not in Hive DDL: that is `hiveString`). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A DuckDB list of string literals: the files a reader reads, the names regexp_extract gives its groups. */
export function sqlList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(', ')}]`;
}

/** The `compression` option of DuckDB's readers. */
/**
 * The option every reader of input logs takes: DuckDB reads a `name=value` folder anywhere in a
 * file's path as a column by default, and a column of the file of that name then takes the folder's
 * value or the read fails (https://duckdb.org/docs/stable/data/partitioning/hive_partitioning).
 * Responders keep logs in such folders (`region=eu-west-1/`, S3's Hive-compatible delivery
 * prefixes); a record's values come from the record alone.
 */
export const FOLDERS_ARE_NOT_COLUMNS = 'hive_partitioning = false';

export function duckdbCompression(compressed: boolean): string {
  return `compression = '${compressed ? 'gzip' : 'uncompressed'}'`;
}

/** The unit separator, a byte no log line holds (JSON escapes it, text logs never carry it), as the CSV delimiter. */
const NEVER_IN_A_LINE = '\u001f';
/** Kubernetes audit events with request and response bodies run to megabytes on one line. */
const MAXIMUM_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Every line of the files as one VARCHAR column `line`, nothing split, unquoted or guessed, and with
 * `filename` the file's path beside it. Empty lines come out as NULL. A byte sequence that is not
 * UTF-8 or a broken gzip stream fails the read; the embedded engine's record gate sets such lines
 * aside and cuts such streams before DuckDB reads the file, so that failure is a last resort.
 */
export function duckdbLines(paths: string[], compressed: boolean, { filename = false } = {}): string {
  const options = [
    "columns = {'line': 'VARCHAR'}",
    `delim = '${NEVER_IN_A_LINE}'`,
    "quote = ''",
    "escape = ''",
    'header = false',
    'auto_detect = false',
    duckdbCompression(compressed),
    FOLDERS_ARE_NOT_COLUMNS,
    `max_line_size = ${MAXIMUM_LINE_BYTES}`,
    `buffer_size = ${2 * MAXIMUM_LINE_BYTES}`,
  ];
  if (filename) options.push('filename = true');
  return `SELECT ${filename ? 'line, filename' : 'line'} FROM read_csv(${sqlList(paths)}, ${options.join(', ')}) WHERE line IS NOT NULL AND trim(line) <> ''`;
}

/**
 * A DuckDB expression that stops the read with `message` and the offending line (its start and
 * end, where a truncation shows): a line the source's `checkRecord` let through but the reader
 * cannot use makes the table builder skip the whole file with that reason.
 */
export function duckdbRejectLine(message: string): string {
  const excerpt =
    "CASE WHEN length(line) <= 200 THEN line ELSE left(line, 150) || ' … ' || right(line, 40) END";
  return `error(${sqlString(`${message}: `)} || ${excerpt})`;
}

/** Statements run one after another; a source module's DDL is one text, split on this. */
export const ATHENA_STATEMENT_SEPARATOR = ';\n';
