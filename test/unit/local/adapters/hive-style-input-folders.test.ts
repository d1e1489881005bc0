/**
 * DuckDB reads a `name=value` folder anywhere in a file's path as a column of that name
 * (https://duckdb.org/docs/stable/data/partitioning/hive_partitioning: detected by default), and a
 * column of the file with that name then takes the folder's value. Responders keep logs in folders
 * named that way (`region=eu-west-1/`, S3's Hive-compatible delivery prefixes), so each source's
 * fixtures are read from a folder nested under one such level per column the source's tables have,
 * and must give the same rows as from a plain folder.
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureData } from '../../../support/fixture-data.js';
import { type BuiltFolder, withBuiltFolder } from '../../../support/source-harness.js';

/** Keys the readers use inside their own SQL besides the tables' columns. */
const READER_KEYS = ['Records', 'Events', 'line', 'filename', 'r', 'e', 'problem', 'file_name'];

const FIXTURES = [
  'alb',
  'cloudfront',
  'eksaudit',
  'guardduty',
  'lambda',
  'route53public',
  'route53resolver',
  's3access',
  'vpcflow',
  'waf',
  'cloudwatch-exports',
  'stratus-red-team/records_gz',
];

interface ReadBack {
  tables: Record<string, string[]>;
  quarantined: number;
  skipped: number;
}

/** Every table's rows as sorted JSON lines, and how many records and files were set aside. */
async function readBack(built: BuiltFolder): Promise<ReadBack> {
  const tables: Record<string, string[]> = {};
  for (const { table } of built.tables.tables) {
    const { rows } = await built.engine.run(`SELECT * FROM "${table}"`, { maxRows: 100_000 });
    tables[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return {
    tables,
    quarantined: built.tables.quarantined?.length ?? 0,
    skipped: built.inventory.skipped.length + built.tables.skipped.length,
  };
}

async function columnNames(built: BuiltFolder): Promise<string[]> {
  const names = new Set<string>(READER_KEYS);
  for (const { table } of built.tables.tables) {
    const { rows } = await built.engine.run(`DESCRIBE "${table}"`);
    for (const row of rows) names.add(String(row.column_name));
  }
  return [...names];
}

describe('logs kept in folders named like columns (`name=value`)', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'casefile-hive-folders-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it.each(FIXTURES)('%s: the same rows as from a plain folder', async (fixture) => {
    const plain = join(scratch, 'plain', fixture);
    await cp(fixtureData(fixture), plain, { recursive: true });
    const { expected, columns } = await withBuiltFolder(plain, async (built) => ({
      expected: await readBack(built),
      columns: await columnNames(built),
    }));
    expect(Object.keys(expected.tables).length).toBeGreaterThan(0);

    // A number, so a numeric column would take it as readily as a text one.
    const hostile = join(scratch, 'hostile', fixture.replaceAll('/', '-'), ...columns.map((c) => `${c}=7`));
    await mkdir(hostile, { recursive: true });
    await cp(fixtureData(fixture), hostile, { recursive: true });
    const actual = await withBuiltFolder(join(scratch, 'hostile', fixture.replaceAll('/', '-')), readBack);
    expect(actual).toEqual(expected);
  });

  // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html: with Hive-compatible
  // S3 prefixes, files go to AWSLogs/aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/year=<year>/month=<month>/day=<day>/.
  it('VPC flow logs under the Hive-compatible S3 prefixes AWS delivers: the same rows as from a plain folder', async () => {
    const plain = join(scratch, 'plain-aws', 'vpcflow');
    await cp(fixtureData('vpcflow'), plain, { recursive: true });
    const expected = await withBuiltFolder(plain, readBack);
    const root = join(scratch, 'hive-aws');
    const delivered = join(
      root,
      'AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=05/day=01',
    );
    await cp(fixtureData('vpcflow'), delivered, { recursive: true });
    expect(await withBuiltFolder(root, readBack)).toEqual(expected);
  });
});
