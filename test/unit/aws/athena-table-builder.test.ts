import pkg from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import {
  createDatabaseSql,
  type QuerySpan,
  querySpan,
  sourceViewSql,
} from '../../../shared/aws/athena-case-sql.js';
import { routedDatabase } from '../../../shared/aws/athena-one-pass-sql.js';
import { AthenaTableBuilder, DDL_CONCURRENCY } from '../../../shared/aws/athena-table-builder.js';
import type { CaseContext } from '../../../shared/domain/case.js';
import { eventClassRouting } from '../../../shared/domain/event-classes.js';
import type { Inventory, SourceLocation } from '../../../shared/domain/inventory.js';
import { closeTimeWindow, DEFAULT_LOOKBACK_DAYS } from '../../../shared/domain/time-window.js';
import { InvalidRequestError, QueryFailedError } from '../../../shared/errors.js';
import { cloudtrailColumnNames, cloudtrailColumns } from '../../../shared/sources/cloudtrail-schema.js';
import { cloudtrailSource } from '../../../shared/sources/cloudtrail-source.js';
import { cloudtrailActivityViewSql } from '../../../shared/sources/cloudtrail-view.js';
import { eventIdFromCopy } from '../../../shared/sources/compact-event-id-sql.js';

const { Parser } = pkg;
const parser = new Parser();

const DATABASE = 'casefile_case_1';
/** A case whose hunts take no route: every input a test routes starts from it. */
const NO_ROUTES = eventClassRouting([]);
const OPENED_AT = '2024-05-10T08:00:00.000Z';
const WINDOW = { from: '2024-05-01T10:00:00.000Z', to: '2024-05-03T18:30:00.000Z' };

function caseContext(window: CaseContext['window'] = WINDOW): CaseContext {
  return {
    caseId: 'case-1',
    window,
    closedWindow: closeTimeWindow(window, OPENED_AT, 'lookback'),
    engine: 'athena',
    iocs: {},
    openedAt: OPENED_AT,
    maxConcurrency: 4,
    huntIds: null,
    requestedBy: null,
    reason: null,
  };
}

const organizationTrail: SourceLocation = {
  source: 'cloudtrail',
  location: 's3://org-trail-logs/security/',
  organizationId: 'o-a1b2c3d4e5',
  accounts: ['222222222222', '111111111111'],
  regions: ['us-east-1', 'eu-west-1', 'us-east-1'],
};
const accountTrail: SourceLocation = {
  source: 'cloudtrail',
  location: 's3://aws-cloudtrail-logs-333333333333-abcd1234',
  accounts: ['333333333333'],
  regions: ['eu-central-1'],
};

function inventory(...sources: SourceLocation[]): Inventory {
  return { discoveredAt: '2024-05-10T08:00:01.000Z', sources, skipped: [], notes: [] };
}

/** CloudTrail's DDL for a trail location, as the builder hands it to the source module. */
function cloudTrailDdl(location: SourceLocation, table = 'cloudtrail_0', span: QuerySpan = WINDOW): string {
  return (
    cloudtrailSource.athenaCreateTable?.(`${DATABASE}.${table}`, {
      s3Uri: location.location,
      accounts: [...new Set(location.accounts)].sort(),
      regions: [...new Set(location.regions)].sort(),
      window: { from: span.from, to: span.to ?? OPENED_AT },
      ...(location.organizationId ? { organizationId: location.organizationId } : {}),
    }) ?? ''
  );
}

function cloudTrailViewSql(tables: string[], span: QuerySpan): string {
  return sourceViewSql(
    DATABASE,
    'cloudtrail',
    cloudtrailColumnNames,
    cloudtrailSource.timeExpression,
    tables,
    span,
  );
}

const copyLocation = ({ caseId }: { caseId: string }, source: string) =>
  `s3://case-bucket/cases/${caseId}/one-pass/${source}/attempt-1/`;

/** Records the statements, in order, the way Athena would receive them. */
function recordingEngine() {
  const statements: string[] = [];
  return {
    statements,
    execute: async (sql: string) => {
      statements.push(sql);
      return { queryId: `q-${statements.length}`, bytesScanned: /^CREATE TABLE "/.test(sql) ? 4096 : 0 };
    },
  };
}

/** TBLPROPERTIES as a map, read back from the DDL text. */
function tableProperties(ddl: string): Record<string, string> {
  const block = /TBLPROPERTIES \(\n([\s\S]*)\n\)$/.exec(ddl)?.[1];
  if (!block) throw new Error('no TBLPROPERTIES block');
  return Object.fromEntries(
    block.split(',\n').map((line) => {
      const match = /^ {2}'([^']+)'='([^']*)'$/.exec(line);
      if (!match) throw new Error(`unexpected property line: ${line}`);
      return [match[1], match[2]];
    }),
  );
}

/**
 * The S3 prefixes Athena reads for a table, computed the way partition projection does: every
 * enum value and every day of the range, put into the location template.
 */
function projectedPrefixes(properties: Record<string, string>): string[] {
  const [first, last] = (properties['projection.delivery_day.range'] ?? '').split(',');
  const days: string[] = [];
  for (
    let day = Date.parse(`${first?.replaceAll('/', '-')}T00:00:00Z`);
    days.at(-1) !== last;
    day += 86_400_000
  ) {
    if (days.length > 366) throw new Error(`the range ${first},${last} is not a closed range of days`);
    days.push(new Date(day).toISOString().slice(0, 10).replaceAll('-', '/'));
  }
  const prefixes: string[] = [];
  for (const account of properties['projection.delivery_account.values']?.split(',') ?? []) {
    for (const region of properties['projection.delivery_region.values']?.split(',') ?? []) {
      for (const day of days) {
        prefixes.push(
          (properties['storage.location.template'] ?? '')
            .replace(`\${delivery_account}`, account)
            .replace(`\${delivery_region}`, region)
            .replace(`\${delivery_day}`, day),
        );
      }
    }
  }
  return prefixes;
}

const isRead = (prefixes: string[], objectUrl: string) =>
  prefixes.some((prefix) => objectUrl.startsWith(prefix));

describe('AthenaTableBuilder.build', () => {
  it('creates the database, one projected table per location, the cloudtrail view, the cloudtrail_events view over it and the cloudtrail_activity view over that, in that order', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({
      engine,
      databaseName: (caseId) => `casefile_${caseId.replace('-', '_')}`,
      copyLocation,
    });

    const result = await builder.build(caseContext(), inventory(organizationTrail, accountTrail));

    const firstLines = engine.statements.map((sql) => sql.split('\n')[0]);
    expect(firstLines[0]).toBe('CREATE DATABASE IF NOT EXISTS `casefile_case_1`');
    expect(firstLines.slice(-3)).toEqual([
      'CREATE OR REPLACE VIEW "casefile_case_1"."cloudtrail" AS',
      'CREATE OR REPLACE VIEW "casefile_case_1"."cloudtrail_events" AS',
      'CREATE OR REPLACE VIEW "casefile_case_1"."cloudtrail_activity" AS',
    ]);
    for (const table of ['cloudtrail_0', 'cloudtrail_1']) {
      const drop = firstLines.indexOf(`DROP TABLE IF EXISTS \`casefile_case_1\`.\`${table}\``);
      expect(drop).toBeGreaterThan(0);
      expect(firstLines.indexOf(`CREATE EXTERNAL TABLE \`casefile_case_1\`.\`${table}\` (`)).toBeGreaterThan(
        drop,
      );
    }
    expect(firstLines).toHaveLength(8);
    expect(result).toEqual({
      tables: [
        {
          source: 'cloudtrail',
          table: 'cloudtrail',
          locations: ['s3://org-trail-logs/security/', 's3://aws-cloudtrail-logs-333333333333-abcd1234'],
        },
      ],
      skipped: [],
      statements: engine.statements.map((_, i) =>
        expect.objectContaining({ queryId: `q-${i + 1}`, bytesScanned: 0 }),
      ),
    });
    expect(result.statements?.[0]?.purpose).toBe('create the case database');
  });

  it('skips, with a reason, locations it cannot make a table of, and builds the rest', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE, copyLocation });
    const hostile: SourceLocation = { ...accountTrail, location: "s3://logs-bucket/x'; DROP TABLE t; --/" };
    const noRegions: SourceLocation = { ...accountTrail, location: 's3://quiet-trail/', regions: [] };
    const localFolder: SourceLocation = { source: 'cloudtrail', location: '/evidence/cloudtrail', files: [] };

    const result = await builder.build(
      caseContext(),
      inventory(hostile, noRegions, localFolder, accountTrail),
    );

    expect(result.skipped).toEqual([
      {
        input: "s3://logs-bucket/x'; DROP TABLE t; --/",
        reason:
          "The prefix of 's3://logs-bucket/x'; DROP TABLE t; --/' has characters casefile does not put in DDL.",
        stage: 'tables',
      },
      {
        input: 's3://quiet-trail/',
        reason: 'no region folders found under AWSLogs/, so there is nothing to project',
        stage: 'tables',
      },
      {
        input: '/evidence/cloudtrail',
        reason: 'not an S3 location: Athena reads cloudtrail only where it lies in S3',
        stage: 'tables',
      },
    ]);
    expect(result.tables.map((table) => table.locations)).toEqual([
      ['s3://aws-cloudtrail-logs-333333333333-abcd1234'],
    ]);
    expect(engine.statements.join('\n')).not.toContain('DROP TABLE t');
    expect(engine.statements.filter((sql) => sql.startsWith('CREATE EXTERNAL TABLE'))).toHaveLength(1);
  });

  it('creates the database but no view when no location can be read', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE, copyLocation });

    const result = await builder.build(caseContext(), inventory());

    expect(result).toEqual({
      tables: [],
      skipped: [],
      statements: [expect.objectContaining({ purpose: 'create the case database' })],
    });
    expect(engine.statements).toEqual(['CREATE DATABASE IF NOT EXISTS `casefile_case_1`']);
  });

  it('refuses a database name that is not a Glue name before running anything', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({
      engine,
      databaseName: () => 'casefile`; DROP DATABASE x; --',
      copyLocation,
    });

    await expect(builder.build(caseContext(), inventory(accountTrail))).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    expect(engine.statements).toEqual([]);
  });

  it('refuses a window that is not in normalised form before running anything', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE, copyLocation });
    const window = { from: "2024-05-01') OR true --", to: null };

    await expect(builder.build(caseContext(window), inventory(accountTrail))).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    expect(engine.statements).toEqual([]);
  });
});

// https://docs.aws.amazon.com/athena/latest/ug/service-limits.html: active DDL queries, running and queued, are a quota.
describe('AthenaTableBuilder.build with many locations', () => {
  /** An engine whose statements take a while, counting how many run at once. */
  function slowEngine() {
    const statements: string[] = [];
    let running = 0;
    let peak = 0;
    return {
      statements,
      peak: () => peak,
      execute: async (sql: string) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        statements.push(sql);
        running--;
        return { queryId: `q-${statements.length}`, bytesScanned: 0 };
      },
    };
  }

  const exportsOf = (n: number): SourceLocation[] =>
    Array.from({ length: n }, (_, i) => ({
      source: 'lambda',
      location: `s3://casefile-cases/cases/case-1/exports/aws-lambda-fn-${i}/`,
      details: { layout: 'cloudwatch-export' },
    }));

  it('runs the DDL of several locations at once, never more than the quota share, each in order', async () => {
    const engine = slowEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE, copyLocation });
    const result = await builder.build(caseContext(), inventory(...exportsOf(40)));

    // The engine's peak of statements in flight shows they ran at once (a wall-clock bound failed
    // under load: speed is the bench's to measure, never a test's).
    expect(engine.peak()).toBe(DDL_CONCURRENCY);
    expect(result.tables).toEqual([expect.objectContaining({ source: 'lambda', table: 'lambda' })]);
    expect(result.tables[0]?.locations).toHaveLength(40);
    const firstLines = engine.statements.map((sql) => sql.split('\n')[0] ?? '');
    for (let i = 0; i < 40; i++) {
      const raw = firstLines.indexOf(`CREATE EXTERNAL TABLE \`casefile_case_1\`.\`lambda_${i}_raw\` (`);
      expect(firstLines.indexOf(`DROP TABLE IF EXISTS \`casefile_case_1\`.\`lambda_${i}_raw\``)).toBeLessThan(
        raw,
      );
      expect(firstLines.indexOf(`CREATE OR REPLACE VIEW "casefile_case_1"."lambda_${i}" AS`)).toBeGreaterThan(
        raw,
      );
    }
    expect(firstLines.at(-1)).toBe('CREATE OR REPLACE VIEW "casefile_case_1"."lambda" AS');
  });

  it('splits a trail by account so that no table projects more than a million partitions', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE, copyLocation });
    const accounts = Array.from({ length: 1200 }, (_, i) => String(100000000000 + i));
    const regions = [
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
      'eu-west-1',
      'eu-west-2',
      'eu-central-1',
      'ap-south-1',
      'ap-northeast-1',
      'ap-southeast-1',
      'ap-southeast-2',
      'sa-east-1',
      'ca-central-1',
      'eu-north-1',
      'eu-west-3',
      'ap-northeast-2',
      'ap-northeast-3',
    ];
    const window = { from: '2024-03-01T00:00:00.000Z', to: '2024-04-29T00:00:00.000Z' };
    const trail: SourceLocation = {
      source: 'cloudtrail',
      location: 's3://org-trail-logs/',
      organizationId: 'o-a1b2c3d4e5',
      accounts,
      regions,
    };

    const result = await builder.build(caseContext(window), inventory(trail));

    const tables = engine.statements.filter((sql) => sql.startsWith('CREATE EXTERNAL TABLE'));
    const partitions = tables.map((ddl) => {
      const properties = tableProperties(ddl);
      return (
        (properties['projection.delivery_account.values'] ?? '').split(',').length *
        (properties['projection.delivery_region.values'] ?? '').split(',').length *
        projectedPrefixes({
          ...properties,
          'projection.delivery_account.values': '1',
          'projection.delivery_region.values': '1',
        }).length
      );
    });
    // 1,200 accounts x 17 regions x 62 delivery days = 1,264,800 partitions in one table.
    expect(tables.length).toBeGreaterThan(1);
    for (const count of partitions) expect(count).toBeLessThanOrEqual(1_000_000);
    expect(partitions.reduce((sum, count) => sum + count, 0)).toBe(1200 * 17 * 62);
    expect(result.tables).toEqual([
      { source: 'cloudtrail', table: 'cloudtrail', locations: ['s3://org-trail-logs/'] },
    ]);
  });
});

describe("CloudTrail's Athena table, from its source module", () => {
  const ddl = cloudTrailDdl(organizationTrail);

  it('is the CloudTrail table of the Athena documentation, partitioned by delivery account, region and day', () => {
    const lines = ddl.split('\n');
    const columnLines = lines.slice(1, 1 + cloudtrailColumns.length);
    expect(lines[0]).toBe('CREATE EXTERNAL TABLE `casefile_case_1`.`cloudtrail_0` (');
    expect(columnLines).toEqual(
      cloudtrailColumns.map(
        (column, i) => `  \`${column.name}\` ${column.athena}${i < cloudtrailColumns.length - 1 ? ',' : ''}`,
      ),
    );
    expect(lines.slice(1 + cloudtrailColumns.length, 1 + cloudtrailColumns.length + 7)).toEqual([
      ')',
      'PARTITIONED BY (`delivery_account` string, `delivery_region` string, `delivery_day` string)',
      "ROW FORMAT SERDE 'com.amazon.emr.hive.serde.CloudTrailSerde'",
      "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'",
      "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
      "LOCATION 's3://org-trail-logs/security/AWSLogs/o-a1b2c3d4e5/'",
      'TBLPROPERTIES (',
    ]);
  });

  it('projects the accounts and regions found and the delivery days of the window', () => {
    expect(tableProperties(ddl)).toEqual({
      'projection.enabled': 'true',
      'projection.delivery_account.type': 'enum',
      'projection.delivery_account.values': '111111111111,222222222222',
      'projection.delivery_region.type': 'enum',
      'projection.delivery_region.values': 'eu-west-1,us-east-1',
      'projection.delivery_day.type': 'date',
      'projection.delivery_day.format': 'yyyy/MM/dd',
      'projection.delivery_day.range': '2024/04/30,2024/05/04',
      'projection.delivery_day.interval': '1',
      'projection.delivery_day.interval.unit': 'DAYS',
      'storage.location.template': `s3://org-trail-logs/security/AWSLogs/o-a1b2c3d4e5/\${delivery_account}/CloudTrail/\${delivery_region}/\${delivery_day}/`,
    });
  });

  it('reads the folders an organisation trail delivers to within the window, and no others', () => {
    const prefixes = projectedPrefixes(tableProperties(ddl));
    const object = (account: string, region: string, day: string, stamp: string) =>
      `s3://org-trail-logs/security/AWSLogs/o-a1b2c3d4e5/${account}/CloudTrail/${region}/${day}/` +
      `${account}_CloudTrail_${region}_${stamp}_AbCdEfGh.json.gz`;

    expect(prefixes).toHaveLength(2 * 2 * 5);
    expect(isRead(prefixes, object('111111111111', 'eu-west-1', '2024/05/02', '20240502T1205Z'))).toBe(true);
    // Delivered after midnight, the last events of the window sit under the next day.
    expect(isRead(prefixes, object('222222222222', 'us-east-1', '2024/05/04', '20240504T0005Z'))).toBe(true);
    expect(isRead(prefixes, object('111111111111', 'eu-west-1', '2024/04/20', '20240420T1205Z'))).toBe(false);
    expect(isRead(prefixes, object('444444444444', 'eu-west-1', '2024/05/02', '20240502T1205Z'))).toBe(false);
    expect(
      isRead(
        prefixes,
        's3://org-trail-logs/security/AWSLogs/o-a1b2c3d4e5/111111111111/CloudTrail-Digest/eu-west-1/2024/05/02/' +
          '111111111111_CloudTrail-Digest_eu-west-1_security_us-east-1_20240502T120500Z.json.gz',
      ),
    ).toBe(false);
  });

  it('reads the account layout, without an organisation id, when the trail is not an organisation trail', () => {
    const properties = tableProperties(cloudTrailDdl(accountTrail, 'cloudtrail_1'));

    expect(properties['storage.location.template']).toBe(
      `s3://aws-cloudtrail-logs-333333333333-abcd1234/AWSLogs/\${delivery_account}/CloudTrail/\${delivery_region}/\${delivery_day}/`,
    );
    expect(
      isRead(
        projectedPrefixes(properties),
        's3://aws-cloudtrail-logs-333333333333-abcd1234/AWSLogs/333333333333/CloudTrail/eu-central-1/2024/05/01/' +
          '333333333333_CloudTrail_eu-central-1_20240501T1010Z_x.json.gz',
      ),
    ).toBe(true);
  });

  it('projects up to when the case was opened when the window has no end', () => {
    const properties = tableProperties(
      cloudTrailDdl(accountTrail, 'cloudtrail_0', { from: WINDOW.from, to: null }),
    );

    expect(properties['projection.delivery_day.range']).toBe('2024/04/30,2024/05/11');
  });

  it(`looks back ${DEFAULT_LOOKBACK_DAYS} days from when the case was opened when the window is open`, () => {
    const properties = tableProperties(
      cloudTrailDdl(
        accountTrail,
        'cloudtrail_0',
        querySpan(closeTimeWindow({ from: null, to: null }, OPENED_AT, 'lookback')),
      ),
    );

    // 90 days before 2024-05-10 is 2024-02-10 (a leap year), and a day each side for delivery.
    expect(properties['projection.delivery_day.range']).toBe('2024/02/09,2024/05/11');
  });
});

describe('querySpan', () => {
  it('keeps the closed window as it is', () => {
    expect(querySpan(WINDOW)).toEqual(WINDOW);
  });

  it.each([
    '2024-05-01',
    '2024-05-01T10:00:00Z',
    "2024-05-01T10:00:00.000Z'--",
    '2024-05-01T10:00:00.000+01:00',
  ])('refuses the instant %j, which is not what the case context holds', (instant) => {
    expect(() => querySpan({ from: instant, to: WINDOW.to })).toThrow(InvalidRequestError);
  });
});

describe('the cloudtrail view', () => {
  const viewSql = cloudTrailViewSql(['cloudtrail_0', 'cloudtrail_1'], WINDOW);

  it('parses as Trino SQL and reads every location table', () => {
    const { ast, tableList } = parser.parse(viewSql, { database: 'trino' });

    expect(ast).toMatchObject({ type: 'create', keyword: 'view', replace: 'or replace' });
    expect(ast).toHaveProperty('view', { db: DATABASE, view: 'cloudtrail' });
    expect(tableList).toEqual([`select::${DATABASE}::cloudtrail_0`, `select::${DATABASE}::cloudtrail_1`]);
  });

  it('has exactly the CloudTrail data columns, in schema order, and no partition columns', () => {
    const { ast } = parser.parse(viewSql, { database: 'trino' });
    const select = (
      ast as unknown as { select: { columns: { expr: { column: { expr: { value: string } } } }[] } }
    ).select;

    expect(select.columns.map((column) => column.expr.column.expr.value)).toEqual(cloudtrailColumnNames);
    expect(viewSql).not.toContain('delivery_');
  });

  it('keeps only events inside the window', () => {
    expect(viewSql.split('\n').at(-1)).toBe(
      'WHERE from_iso8601_timestamp(eventtime) BETWEEN ' +
        "from_iso8601_timestamp('2024-05-01T10:00:00.000Z') AND from_iso8601_timestamp('2024-05-03T18:30:00.000Z')",
    );
  });

  it('keeps events from the start onwards when the window has no end', () => {
    const openSql = cloudTrailViewSql(['cloudtrail_0'], { from: WINDOW.from, to: null });

    expect(() => parser.astify(openSql, { database: 'trino' })).not.toThrow();
    expect(openSql.split('\n').at(-1)).toBe(
      "WHERE from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('2024-05-01T10:00:00.000Z')",
    );
  });

  it('refuses a window bound that could close the quote', () => {
    expect(() =>
      cloudTrailViewSql(['cloudtrail_0'], { from: "2024-05-01T10:00:00.000Z') OR (true", to: null }),
    ).toThrow(InvalidRequestError);
  });
});

describe('location validation', () => {
  it.each([
    "s3://bucket'name/",
    's3://Bucket/',
    "s3://logs/pre'fix/",
    's3://logs/pre"fix/',
    's3://logs/pre`fix/',
    `s3://logs/\${account}/`,
    's3://logs/pre\\fix/',
    's3://logs/pre fix/',
    'https://logs.s3.amazonaws.com/',
  ])('refuses the location %j', (location) => {
    expect(() => cloudTrailDdl({ ...accountTrail, location })).toThrow(InvalidRequestError);
  });

  it.each([
    ['an account id', { accounts: ["111111111111','x"] }],
    ['a region', { regions: ["us-east-1'"] }],
    ['an organization id', { organizationId: "o-a1b2c3d4e5'" }],
  ])('refuses %s that is not one', (_what, overrides) => {
    expect(() => cloudTrailDdl({ ...accountTrail, ...overrides })).toThrow(InvalidRequestError);
  });

  it('refuses a database name that Glue would not accept', () => {
    expect(() => createDatabaseSql('casefile-case')).toThrow(InvalidRequestError);
    expect(() => createDatabaseSql('')).toThrow(InvalidRequestError);
  });
});

describe('tables for the other log sources', () => {
  const flowLogs: SourceLocation = {
    source: 'vpcflow',
    location: 's3://flow-log-bucket/',
    accounts: ['111111111111'],
    regions: ['eu-west-1'],
  };

  it('runs the source module’s DDL per location and views the data columns within the window', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE, copyLocation });
    const result = await builder.build(
      caseContext(),
      inventory(flowLogs, { ...flowLogs, location: 's3://second-bucket/' }),
    );
    expect(result.tables).toEqual([
      { source: 'vpcflow', table: 'vpcflow', locations: ['s3://flow-log-bucket/', 's3://second-bucket/'] },
    ]);
    expect(engine.statements.filter((s) => s.startsWith('CREATE EXTERNAL TABLE'))).toHaveLength(2);
    expect(engine.statements.filter((s) => s.startsWith('DROP TABLE IF EXISTS'))).toHaveLength(2);
    const view = engine.statements.at(-1) ?? '';
    expect(view).toMatch(/^CREATE OR REPLACE VIEW "casefile_case_1"."vpcflow" AS/);
    expect(view).toContain('"end"');
    expect(view).not.toContain('delivery_');
    expect(view).toMatch(/WHERE from_unixtime\("?start"?\)/);
    expect(view).toContain("from_iso8601_timestamp('2024-05-01T10:00:00.000Z')");
    new Parser().astify(view, { database: 'trino' });
  });

  // https://docs.aws.amazon.com/athena/latest/ug/create-table-as.html
  it('copies the case window of a table with no date in its keys once, and views the copy', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE, copyLocation });
    const cloudfront: SourceLocation = { source: 'cloudfront', location: 's3://cdn-logs/shop/' };
    const flatAccessLogs: SourceLocation = {
      source: 's3access',
      location: 's3://access-logs/flat/',
      details: { layout: 'flat' },
    };

    const result = await builder.build(caseContext(), inventory(cloudfront, flatAccessLogs, flowLogs));

    expect(result.skipped).toEqual([]);
    const copies = engine.statements.filter((sql) => sql.startsWith('CREATE TABLE '));
    expect(copies.map((sql) => sql.split('\n')[0])).toEqual([
      'CREATE TABLE "casefile_case_1"."cloudfront_0_window"',
      'CREATE TABLE "casefile_case_1"."s3access_0_window"',
    ]);
    expect(copies[0]).toContain("WITH (format = 'PARQUET', write_compression = 'SNAPPY') AS");
    expect(copies[0]).toContain('FROM "casefile_case_1"."cloudfront_0"');
    expect(copies[0]?.split('\n').at(-1)).toMatch(
      /^WHERE from_iso8601_timestamp\(.*\) BETWEEN from_iso8601_timestamp\('2024-05-01T10:00:00.000Z'\) AND from_iso8601_timestamp\('2024-05-03T18:30:00.000Z'\)$/,
    );
    new Parser().astify(copies[1]?.replace(/^CREATE TABLE .*\nWITH .* AS\n/, '') ?? '', {
      database: 'trino',
    });
    const views = engine.statements.filter((sql) =>
      /^CREATE OR REPLACE VIEW "casefile_case_1"\."(cloudfront|s3access|vpcflow)" /.test(sql),
    );
    expect(views.find((v) => v.includes('"cloudfront" AS'))).toContain(
      'FROM "casefile_case_1"."cloudfront_0_window"',
    );
    expect(views.find((v) => v.includes('"s3access" AS'))).toContain(
      'FROM "casefile_case_1"."s3access_0_window"',
    );
    // Flow logs are projected over delivery days: no copy.
    expect(views.find((v) => v.includes('"vpcflow" AS'))).toContain('FROM "casefile_case_1"."vpcflow_0"\n');
  });

  it('tables public DNS query logs, which exist only in CloudWatch Logs, from their export folder', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE, copyLocation });
    const exportFolder = 's3://casefile-cases/cases/case-1/exports/aws-route53-example.com/';
    const result = await builder.build(
      caseContext(),
      inventory({
        source: 'route53public',
        location: exportFolder,
        details: { layout: 'cloudwatch-export', logGroup: '/aws/route53/example.com' },
      }),
    );
    expect(result.skipped).toEqual([]);
    expect(result.tables).toEqual([
      { source: 'route53public', table: 'route53public', locations: [exportFolder] },
    ]);
    expect(engine.statements.find((s) => s.startsWith('CREATE EXTERNAL TABLE'))).toContain(
      `LOCATION '${exportFolder}'`,
    );
  });
});

describe('AthenaTableBuilder.copyOnce', () => {
  it('copies the source view once into the case folder, points the view and then cloudtrail_events at the copy, and records what each statement scanned', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE, copyLocation });
    const statements = await builder.copyOnce(caseContext(), ['cloudtrail'], NO_ROUTES);
    expect(engine.statements).toHaveLength(4);
    expect(engine.statements[0]).toBe(`DROP TABLE IF EXISTS \`${DATABASE}\`.\`cloudtrail_copy\``);
    expect(engine.statements[1]).toContain(`CREATE TABLE "${DATABASE}"."cloudtrail_copy"`);
    expect(engine.statements[1]).toContain(
      "external_location = 's3://case-bucket/cases/case-1/one-pass/cloudtrail/attempt-1/'",
    );
    expect(engine.statements[1]).toContain(`FROM "${DATABASE}"."cloudtrail"`);
    expect(engine.statements[2]).toContain(`CREATE OR REPLACE VIEW "${DATABASE}"."cloudtrail" AS`);
    expect(engine.statements[2]).toContain(`FROM "${DATABASE}"."cloudtrail_copy"`);
    expect(statements).toEqual([
      { purpose: 'drop the cloudtrail copy', queryId: 'q-1', bytesScanned: 0 },
      { purpose: 'copy cloudtrail once', queryId: 'q-2', bytesScanned: 4096 },
      { purpose: 'view cloudtrail on its copy', queryId: 'q-3', bytesScanned: 0 },
      {
        purpose: 'view cloudtrail_events on the stored judgements of the copy',
        queryId: 'q-4',
        bytesScanned: 0,
      },
    ]);
    expect(engine.statements[3]).toContain(`CREATE OR REPLACE VIEW "${DATABASE}"."cloudtrail_events" AS`);
    expect(engine.statements[3]).toContain('"actor", "by_aws_service", "outcome"\nFROM');
    for (const statement of engine.statements.slice(2))
      expect(new Parser().astify(statement as string, { database: 'trino' })).toBeTruthy();
  });

  it('gives each route taken its own database, whose views read only that route’s classes of the copy, before the source view moves to the copy', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE, copyLocation });
    const routing = {
      ...NO_ROUTES,
      names: ['CreateUser', 'StopLogging'],
      heavyNames: ['AssumeRole'],
      hunts: ['backdoor-user', 'trail-stopped'],
      heavyHunts: ['role-from-outside'],
      flaggedHunts: ['root-account-usage'],
    };
    const statements = await builder.copyOnce(caseContext(), ['cloudtrail'], routing);
    const flagged = routedDatabase(DATABASE, 'flagged');
    const named = routedDatabase(DATABASE, 'named');
    const heavy = routedDatabase(DATABASE, 'named-and-heavy');
    expect(named.startsWith(DATABASE)).toBe(true);
    expect(engine.statements[1]).toContain(
      `CASE WHEN "eventname" IN ('CreateUser', 'StopLogging') THEN CASE WHEN (errorcode IS NOT NULL OR useridentity.type IN ('IAMUser', 'Root') OR coalesce(useridentity.sessioncontext.sessionissuer.arn, '') LIKE '%/AWSReservedSSO_%') THEN 'named_flagged' ELSE 'named' END WHEN "eventname" IN ('AssumeRole') THEN CASE WHEN (errorcode IS NOT NULL OR useridentity.type IN ('IAMUser', 'Root') OR coalesce(useridentity.sessioncontext.sessionissuer.arn, '') LIKE '%/AWSReservedSSO_%') THEN 'named_flagged' ELSE 'named_heavy' END WHEN (errorcode IS NOT NULL OR useridentity.type IN ('IAMUser', 'Root') OR coalesce(useridentity.sessioncontext.sessionissuer.arn, '') LIKE '%/AWSReservedSSO_%') THEN 'flagged' ELSE 'other' END`,
    );
    const view = (database: string, classes: string) =>
      [
        `CREATE OR REPLACE VIEW "${database}"."cloudtrail" AS`,
        // The copy keeps the event id in 16 bytes; the view gives it back as text.
        `SELECT ${cloudtrailColumnNames.map((c) => (c === 'eventid' ? eventIdFromCopy() : `"${c}"`)).join(', ')}`,
        `FROM "${DATABASE}"."cloudtrail_copy"`,
        `WHERE "event_class" IN (${classes})`,
      ].join('\n');
    // The routed cloudtrail_events read the judgements the copy stored.
    const eventsView = (database: string, classes: string) =>
      [
        `CREATE OR REPLACE VIEW "${database}"."cloudtrail_events" AS`,
        `SELECT ${[...cloudtrailColumnNames.map((c) => (c === 'eventid' ? eventIdFromCopy() : `"${c}"`)), '"actor"', '"by_aws_service"', '"outcome"'].join(', ')}`,
        `FROM "${DATABASE}"."cloudtrail_copy"`,
        `WHERE "event_class" IN (${classes})`,
      ].join('\n');
    // Each route's baselines read every class: the case database's events.
    const activity = (database: string) =>
      cloudtrailActivityViewSql(`"${database}"."cloudtrail_activity"`, `"${DATABASE}"."cloudtrail_events"`);
    expect(engine.statements.slice(2, 14)).toEqual([
      `CREATE DATABASE IF NOT EXISTS \`${flagged}\``,
      view(flagged, "'flagged', 'named_flagged'"),
      eventsView(flagged, "'flagged', 'named_flagged'"),
      activity(flagged),
      `CREATE DATABASE IF NOT EXISTS \`${named}\``,
      view(named, "'named', 'named_flagged'"),
      eventsView(named, "'named', 'named_flagged'"),
      activity(named),
      `CREATE DATABASE IF NOT EXISTS \`${heavy}\``,
      view(heavy, "'named', 'named_heavy', 'named_flagged'"),
      eventsView(heavy, "'named', 'named_heavy', 'named_flagged'"),
      activity(heavy),
    ]);
    expect(statements.map((s) => s.purpose)).toEqual([
      'drop the cloudtrail copy',
      'copy cloudtrail once',
      'create the flagged database',
      'view the flagged cloudtrail events',
      'view the flagged cloudtrail events',
      'view the flagged cloudtrail events',
      'create the named database',
      'view the named cloudtrail events',
      'view the named cloudtrail events',
      'view the named cloudtrail events',
      'create the named-and-heavy database',
      'view the named-and-heavy cloudtrail events',
      'view the named-and-heavy cloudtrail events',
      'view the named-and-heavy cloudtrail events',
      'view cloudtrail on its copy',
      'view cloudtrail_events on the stored judgements of the copy',
    ]);
  });

  /** One hunt naming one light event: the `named` route alone. */
  const oneNamedHunt = { ...NO_ROUTES, names: ['CreateUser'], hunts: ['backdoor-user'] };

  it('leaves the source view on the logs as delivered when a routed view fails', async () => {
    const statements: string[] = [];
    const engine = {
      execute: async (sql: string) => {
        statements.push(sql);
        if (sql.includes('"event_class" IN')) throw new QueryFailedError('Athena query q-7 failed: denied');
        return { queryId: `q-${statements.length}`, bytesScanned: 0 };
      },
    };
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE, copyLocation });
    await expect(builder.copyOnce(caseContext(), ['cloudtrail'], oneNamedHunt)).rejects.toThrow(
      QueryFailedError,
    );
    expect(
      statements.some((sql) => sql.startsWith(`CREATE OR REPLACE VIEW "${DATABASE}"."cloudtrail"`)),
    ).toBe(false);
  });

  it('makes no routed views for a source other than CloudTrail, nor for a route no hunt takes', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE, copyLocation });
    await builder.copyOnce(caseContext(), ['vpcflow'], oneNamedHunt);
    expect(engine.statements.filter((s) => s.includes('_named_'))).toEqual([]);
    await builder.copyOnce(caseContext(), ['cloudtrail'], oneNamedHunt);
    expect(engine.statements.filter((s) => s.includes('_named_and_heavy_'))).toEqual([]);
    expect(
      engine.statements.find((s) => s.includes('"vpcflow_copy"') && s.startsWith('CREATE TABLE')),
    ).not.toContain('CreateUser');
  });
});
