import { describe, expect, it } from 'vitest';
import {
  MAX_WRITERS_PER_STATEMENT,
  ONE_PASS_BUCKETS,
  onePassCopySql,
} from '../../../shared/aws/athena-one-pass-sql.js';
import { logSourceIds } from '../../../shared/domain/log-sources.js';
import { InvalidRequestError } from '../../../shared/errors.js';
import { logSourceModule } from '../../../shared/sources/registry.js';

const LOCATION = 's3://case-bucket/cases/case-1/one-pass/cloudtrail/attempt-1/';

/**
 * What one CTAS or INSERT INTO opens writers for: its partitions times its buckets. Athena refuses
 * more than 100 ("HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers for
 * partitions/buckets", https://docs.aws.amazon.com/athena/latest/ug/ctas-insert-into.html).
 */
function writersOf(statement: string): number {
  expect(statement, 'a partitioned copy has no bound known before it runs').not.toMatch(/partitioned_by/i);
  const buckets = /bucket_count\s*=\s*(\d+)/i.exec(statement);
  return buckets ? Number(buckets[1]) : 1;
}

describe('the one-pass copy statement', () => {
  it('stays within the 100 writers one CTAS may open, for every source', () => {
    for (const source of logSourceIds) {
      const sql = onePassCopySql({
        database: 'casefile_case_1',
        source,
        copy: `${source}_copy`,
        columns: logSourceModule(source).columns,
        location: LOCATION,
      });
      expect(sql).not.toMatch(/INSERT INTO/i);
      expect(writersOf(sql), source).toBeLessThanOrEqual(MAX_WRITERS_PER_STATEMENT);
    }
  });

  it('buckets CloudTrail by eventname into Parquet with zstd, at an empty folder of the case', () => {
    const sql = onePassCopySql({
      database: 'casefile_case_1',
      source: 'cloudtrail',
      copy: 'cloudtrail_copy',
      columns: ['eventname', 'eventid'],
      location: LOCATION,
    });
    expect(sql).toBe(
      [
        'CREATE TABLE "casefile_case_1"."cloudtrail_copy"',
        'WITH (',
        "  format = 'PARQUET',",
        "  write_compression = 'ZSTD',",
        "  bucketed_by = ARRAY['eventname'],",
        `  bucket_count = ${ONE_PASS_BUCKETS},`,
        `  external_location = '${LOCATION}'`,
        ') AS',
        'SELECT "eventname", "eventid"',
        'FROM "casefile_case_1"."cloudtrail"',
      ].join('\n'),
    );
  });

  it('refuses a location that could break out of its quotes, and a column name that is not one', () => {
    const base = {
      database: 'casefile_case_1',
      source: 'cloudtrail',
      copy: 'cloudtrail_copy',
      columns: ['eventid'],
    };
    expect(() => onePassCopySql({ ...base, location: "s3://case-bucket/x'/" })).toThrow(InvalidRequestError);
    expect(() => onePassCopySql({ ...base, location: 's3://case-bucket/no-trailing-slash' })).toThrow(
      InvalidRequestError,
    );
    expect(() => onePassCopySql({ ...base, columns: ['eventid"; DROP'], location: LOCATION })).toThrow(
      InvalidRequestError,
    );
  });
});
