import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copiedColumnsSql } from '../shared/aws/athena-one-pass-sql.js';
import type { CopyProfile } from '../shared/domain/athena-estimate.js';
import { hiveBucket } from '../shared/domain/athena-estimate.js';
import {
  BUCKETS_PER_CLASS,
  CLASSED_SOURCE,
  FLAGGED_EVENTS,
  NAMED_FLAGGED_EVENTS,
  type RowPattern,
  rowPatternKey,
  rowPatternSql,
} from '../shared/domain/event-classes.js';
import { DuckDbQueryEngine } from '../shared/local/adapters/duckdb-query-engine.js';
import { eventClassExpression, type NamedClasses } from '../shared/sources/cloudtrail-class-sql.js';
import { cloudtrailColumnNames } from '../shared/sources/cloudtrail-schema.js';
import { cloudtrailSource } from '../shared/sources/cloudtrail-source.js';
import { COMPACT_EVENT_ID, EVENT_ID_BYTES, EVENT_ID_TEXT } from '../shared/sources/compact-event-id-sql.js';
import { sqlString } from '../shared/sources/source-sql.js';

/**
 * The CloudTrail copy laid out the way the one-pass CTAS writes it (shared/aws/athena-one-pass-sql.ts):
 * Parquet with zstd, its select list the CTAS's own (the event id in 16 bytes, the judgements of
 * `cloudtrail_events` stored), one folder per event class (the class the CTAS's own expression
 * gives), one file per Hive bucket of `eventname` in each, written by DuckDB from the corpus, then measured column
 * chunk by column chunk with `parquet_metadata`. Each file's column bytes are shared among its event
 * names by their rows, so the profile holds, per event name, its column bytes per byte of the gzip
 * logs in the flagged class and in its own: the class and bucket files the estimate reads are sums of it.
 */
export async function measureCopyProfile(
  files: string[],
  gzipBytes: number,
  work: string,
  namedEvents: NamedClasses,
): Promise<{ profile: CopyProfile; copyBytes: number }> {
  const dir = join(work, 'one-pass-copy');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // The copy of the whole corpus in one statement, 100 writers: more than a case's engine is given
  // (it failed at 1 GB on the 1 M corpus); the benchmark's peak RSS is taken before this runs.
  const engine = await DuckDbQueryEngine.open({ tempDirectory: join(work, 'spill'), memoryLimit: '2GB' });
  try {
    const records = cloudtrailSource.duckdbSelect(files, 'records-object', true);
    const names = await engine.run(
      `SELECT DISTINCT eventname FROM (${records}) WHERE eventname IS NOT NULL`,
      { maxRows: 1_000_000 },
    );
    const buckets = names.rows
      .map((row) => row.eventname as string)
      .map((name) => `(${sqlString(name)}, ${hiveBucket(name, BUCKETS_PER_CLASS)})`);
    await engine.execute(
      `CREATE TABLE event_buckets AS SELECT * FROM (VALUES ${buckets.join(', ')}) AS t(eventname, bucket)`,
    );
    const copied = copiedColumnsSql(CLASSED_SOURCE, cloudtrailColumnNames).join(', ');
    // The class as the CTAS computes it; a null name is written to bucket 0 of its class, as Hive
    // bucketing hashes null to 0.
    await engine.execute(
      `COPY (SELECT ${copied}, ${eventClassExpression('eventname', namedEvents)}, coalesce(b.bucket, 0) AS bucket FROM (${records}) AS r LEFT JOIN event_buckets AS b USING (eventname)) TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (event_class, bucket))`,
    );
    const parquet = sqlString(join(dir, '**', '*.parquet'));
    const chunks = await engine.run(
      `SELECT file_name AS file, lower(split_part(path_in_schema, ',', 1)) AS column_name, sum(total_compressed_size) AS bytes FROM parquet_metadata(${parquet}) GROUP BY ALL`,
      { maxRows: 1_000_000 },
    );
    const rows = await engine.run(
      `SELECT filename AS file, coalesce(eventname, '') AS eventname, count(*) AS n FROM read_parquet(${parquet}, filename = true, hive_partitioning = false) GROUP BY ALL`,
      { maxRows: 1_000_000 },
    );
    const flaggedFolders = [FLAGGED_EVENTS, NAMED_FLAGGED_EVENTS].map(
      (c) => `${join(dir, `event_class=${c}`)}/`,
    );
    const fileColumns = new Map<string, Map<string, number>>();
    let copyBytes = 0;
    for (const row of chunks.rows) {
      const bytes = Number(row.bytes);
      copyBytes += bytes;
      const columns = fileColumns.get(String(row.file)) ?? new Map<string, number>();
      // The id's two columns are what a scan of `eventid` reads.
      const column = String(row.column_name).trim();
      const name = column === EVENT_ID_BYTES || column === EVENT_ID_TEXT ? COMPACT_EVENT_ID : column;
      columns.set(name, (columns.get(name) ?? 0) + bytes);
      fileColumns.set(String(row.file), columns);
    }
    const fileRows = new Map<string, number>();
    for (const row of rows.rows)
      fileRows.set(String(row.file), (fileRows.get(String(row.file)) ?? 0) + Number(row.n));
    const profile: CopyProfile = { events: {}, flagged: {} };
    for (const row of rows.rows) {
      const share = Number(row.n) / (fileRows.get(String(row.file)) ?? 1);
      const flagged = flaggedFolders.some((folder) => String(row.file).startsWith(folder));
      const part = flagged ? profile.flagged : profile.events;
      const event = part[String(row.eventname)] ?? {};
      part[String(row.eventname)] = event;
      for (const [column, bytes] of fileColumns.get(String(row.file)) ?? [])
        event[column] = (event[column] ?? 0) + (bytes * share) / gzipBytes;
    }
    return { profile, copyBytes };
  } finally {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Each pattern's share of the corpus's rows: what the model weighs a pattern on another column than
 * the event name by (heavyPattern in shared/domain/event-classes.ts), its rows taken to be as large as
 * the average row of the copy.
 */
export async function measurePatternShares(
  files: string[],
  patterns: RowPattern[],
  work: string,
): Promise<Record<string, number>> {
  if (patterns.length === 0) return {};
  const engine = await DuckDbQueryEngine.open({ tempDirectory: join(work, 'spill'), memoryLimit: '2GB' });
  try {
    const records = cloudtrailSource.duckdbSelect(files, 'records-object', true);
    const counts = patterns.map((p, i) => `count(*) FILTER (WHERE ${rowPatternSql(p)}) AS p${i}`);
    const result = await engine.run(`SELECT count(*) AS total, ${counts.join(', ')} FROM (${records})`, {
      maxRows: 1,
    });
    const row = result.rows[0] ?? {};
    const total = Number(row.total) || 1;
    return Object.fromEntries(patterns.map((p, i) => [rowPatternKey(p), Number(row[`p${i}`]) / total]));
  } finally {
    engine.close();
  }
}
