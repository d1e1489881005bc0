import type { FileLayout } from '../domain/inventory.js';
import { cloudtrailColumns } from '../sources/cloudtrail-schema.js';

/** A whole CloudTrail file is one JSON object; 16 MB (DuckDB's default) is below real files. */
const MAXIMUM_OBJECT_SIZE = 64 * 1024 * 1024;

export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const recordColumns = `{${cloudtrailColumns.map((c) => `${sqlString(c.jsonKey)}: ${sqlString(c.duckdb)}`).join(', ')}}`;

/**
 * A SELECT giving the CloudTrail columns (Athena's names and shapes) from files of one layout.
 * Declared columns, never auto-detection: sampling misses keys that appear in later files and
 * guesses types that drift from file to file.
 */
export function selectCloudTrailRecords(paths: string[], layout: FileLayout, compressed: boolean): string {
  const files = `[${paths.map(sqlString).join(', ')}]`;
  const compression = compressed ? 'gzip' : 'uncompressed';
  if (layout === 'records-object') {
    const recordType = `STRUCT(${cloudtrailColumns.map((c) => `"${c.jsonKey}" ${c.duckdb}`).join(', ')})[]`;
    const rows = `SELECT unnest("Records") AS r FROM read_json(${files}, format = 'unstructured', columns = {'Records': ${sqlString(recordType)}}, compression = '${compression}', maximum_object_size = ${MAXIMUM_OBJECT_SIZE})`;
    const projection = cloudtrailColumns.map((c) => `r."${c.jsonKey}" AS ${c.name}`).join(', ');
    return `SELECT ${projection} FROM (${rows}) WHERE r IS NOT NULL`;
  }
  const format = layout === 'json-array' ? 'array' : 'newline_delimited';
  const projection = cloudtrailColumns.map((c) => `"${c.jsonKey}" AS ${c.name}`).join(', ');
  return `SELECT ${projection} FROM read_json(${files}, format = '${format}', columns = ${recordColumns}, compression = '${compression}', maximum_object_size = ${MAXIMUM_OBJECT_SIZE})`;
}
