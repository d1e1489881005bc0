import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ONE_PASS_BUCKETS } from '../shared/aws/athena-one-pass-sql.js';
import { type CopyProfile, hiveBucket } from '../shared/domain/athena-estimate.js';
import { DuckDbQueryEngine } from '../shared/local/adapters/duckdb-query-engine.js';
import { cloudtrailSource } from '../shared/sources/cloudtrail-source.js';
import { sqlString } from '../shared/sources/source-sql.js';

/**
 * The CloudTrail copy laid out the way the one-pass CTAS writes it (shared/aws/athena-one-pass-sql.ts):
 * Parquet with zstd, one file per Hive bucket of `eventname`, written by DuckDB from the corpus, then
 * measured column chunk by column chunk with `parquet_metadata`. The profile is each bucket's column
 * bytes per byte of the gzip logs.
 */
export async function measureCopyProfile(
  files: string[],
  gzipBytes: number,
  work: string,
): Promise<{ profile: CopyProfile; copyBytes: number }> {
  const dir = join(work, 'one-pass-copy');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const engine = await DuckDbQueryEngine.open({ tempDirectory: join(work, 'spill') });
  try {
    const records = cloudtrailSource.duckdbSelect(files, 'records-object', true);
    const names = await engine.run(
      `SELECT DISTINCT eventname FROM (${records}) WHERE eventname IS NOT NULL`,
      {
        maxRows: 1_000_000,
      },
    );
    const buckets = names.rows
      .map((row) => row.eventname as string)
      .map((name) => `(${sqlString(name)}, ${hiveBucket(name, ONE_PASS_BUCKETS)})`);
    await engine.execute(
      `CREATE TABLE event_buckets AS SELECT * FROM (VALUES ${buckets.join(', ')}) AS t(eventname, bucket)`,
    );
    await engine.execute(
      `COPY (SELECT r.*, coalesce(b.bucket, 0) AS bucket FROM (${records}) AS r LEFT JOIN event_buckets AS b USING (eventname)) TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (bucket))`,
    );
    const chunks = await engine.run(
      `SELECT regexp_extract(file_name, 'bucket=([0-9]+)', 1) AS bucket, lower(split_part(path_in_schema, ',', 1)) AS column_name, sum(total_compressed_size) AS bytes FROM parquet_metadata(${sqlString(join(dir, '**', '*.parquet'))}) GROUP BY ALL`,
      { maxRows: 1_000_000 },
    );
    const profile: CopyProfile = {
      buckets: Array.from({ length: ONE_PASS_BUCKETS }, () => ({})),
    };
    let copyBytes = 0;
    for (const row of chunks.rows) {
      const bytes = Number(row.bytes);
      copyBytes += bytes;
      const bucket = profile.buckets[Number(row.bucket)];
      if (bucket) bucket[String(row.column_name).trim()] = bytes / gzipBytes;
    }
    return { profile, copyBytes };
  } finally {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}
