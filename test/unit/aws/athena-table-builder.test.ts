import pkg from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import {
  AthenaTableBuilder,
  CLOUDTRAIL_VIEW,
  cloudTrailTableSpec,
  cloudTrailTableSql,
  cloudTrailViewSql,
  createDatabaseSql,
  parseS3Location,
  querySpan,
} from '../../../shared/aws/athena-table-builder.js';
import type { CaseContext } from '../../../shared/domain/case.js';
import type { Inventory, SourceLocation } from '../../../shared/domain/inventory.js';
import { closeTimeWindow, DEFAULT_LOOKBACK_DAYS } from '../../../shared/domain/time-window.js';
import { InvalidRequestError } from '../../../shared/errors.js';
import { cloudtrailColumnNames, cloudtrailColumns } from '../../../shared/sources/cloudtrail-schema.js';

const { Parser } = pkg;
const parser = new Parser();

const DATABASE = 'casefile_case_1';
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

/** Records the statements, in order, the way Athena would receive them. */
function recordingEngine() {
  const statements: string[] = [];
  return { statements, execute: async (sql: string) => void statements.push(sql) };
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
  const [first, last] = (properties['projection.day.range'] ?? '').split(',');
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
  for (const account of properties['projection.account.values']?.split(',') ?? []) {
    for (const region of properties['projection.region.values']?.split(',') ?? []) {
      for (const day of days) {
        prefixes.push(
          (properties['storage.location.template'] ?? '')
            .replace(`\${account}`, account)
            .replace(`\${region}`, region)
            .replace(`\${day}`, day),
        );
      }
    }
  }
  return prefixes;
}

const isRead = (prefixes: string[], objectUrl: string) =>
  prefixes.some((prefix) => objectUrl.startsWith(`${prefix}/`));

describe('AthenaTableBuilder.build', () => {
  it('creates the database, one projected table per location, the cloudtrail view and the cloudtrail_events view over it, in that order', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({
      engine,
      databaseName: (caseId) => `casefile_${caseId.replace('-', '_')}`,
    });

    const result = await builder.build(caseContext(), inventory(organizationTrail, accountTrail));

    expect(engine.statements.map((sql) => sql.split('\n')[0])).toEqual([
      'CREATE DATABASE IF NOT EXISTS `casefile_case_1`',
      'DROP TABLE IF EXISTS `casefile_case_1`.`cloudtrail_0`',
      'CREATE EXTERNAL TABLE `casefile_case_1`.`cloudtrail_0` (',
      'DROP TABLE IF EXISTS `casefile_case_1`.`cloudtrail_1`',
      'CREATE EXTERNAL TABLE `casefile_case_1`.`cloudtrail_1` (',
      'CREATE OR REPLACE VIEW "casefile_case_1"."cloudtrail" AS',
      'CREATE OR REPLACE VIEW "casefile_case_1"."cloudtrail_events" AS',
    ]);
    expect(result).toEqual({
      tables: [
        {
          source: 'cloudtrail',
          table: 'cloudtrail',
          locations: [
            's3://org-trail-logs/security/AWSLogs/o-a1b2c3d4e5/',
            's3://aws-cloudtrail-logs-333333333333-abcd1234/AWSLogs/',
          ],
        },
      ],
      skipped: [],
    });
  });

  it('skips, with a reason, locations it cannot make a table of, and builds the rest', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE });
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
        reason: 'no account or region folders found under AWSLogs/, so there is nothing to project',
        stage: 'tables',
      },
      {
        input: '/evidence/cloudtrail',
        reason: 'not an S3 location: Athena reads CloudTrail only where it is delivered in S3',
        stage: 'tables',
      },
    ]);
    expect(result.tables.map((table) => table.locations)).toEqual([
      ['s3://aws-cloudtrail-logs-333333333333-abcd1234/AWSLogs/'],
    ]);
    expect(engine.statements.join('\n')).not.toContain('DROP TABLE t');
    expect(engine.statements.filter((sql) => sql.startsWith('CREATE EXTERNAL TABLE'))).toHaveLength(1);
  });

  it('creates the database but no view when no location can be read', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE });

    const result = await builder.build(caseContext(), inventory());

    expect(result).toEqual({ tables: [], skipped: [] });
    expect(engine.statements).toEqual(['CREATE DATABASE IF NOT EXISTS `casefile_case_1`']);
  });

  it('refuses a database name that is not a Glue name before running anything', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => 'casefile`; DROP DATABASE x; --' });

    await expect(builder.build(caseContext(), inventory(accountTrail))).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    expect(engine.statements).toEqual([]);
  });

  it('refuses a window that is not in normalised form before running anything', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE });
    const window = { from: "2024-05-01') OR true --", to: null };

    await expect(builder.build(caseContext(window), inventory(accountTrail))).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    expect(engine.statements).toEqual([]);
  });
});

describe('cloudTrailTableSql', () => {
  const ddl = cloudTrailTableSql(
    cloudTrailTableSpec(organizationTrail, DATABASE, 'cloudtrail_0', querySpan(WINDOW)),
  );

  it('is the CloudTrail table of the Athena documentation, partitioned by account, region and day', () => {
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
      'PARTITIONED BY (`account` string, `region` string, `day` string)',
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
      'projection.account.type': 'enum',
      'projection.account.values': '111111111111,222222222222',
      'projection.region.type': 'enum',
      'projection.region.values': 'eu-west-1,us-east-1',
      'projection.day.type': 'date',
      'projection.day.format': 'yyyy/MM/dd',
      'projection.day.range': '2024/04/30,2024/05/04',
      'projection.day.interval': '1',
      'projection.day.interval.unit': 'DAYS',
      'storage.location.template': `s3://org-trail-logs/security/AWSLogs/o-a1b2c3d4e5/\${account}/CloudTrail/\${region}/\${day}`,
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
    const properties = tableProperties(
      cloudTrailTableSql(cloudTrailTableSpec(accountTrail, DATABASE, 'cloudtrail_1', querySpan(WINDOW))),
    );

    expect(properties['storage.location.template']).toBe(
      `s3://aws-cloudtrail-logs-333333333333-abcd1234/AWSLogs/\${account}/CloudTrail/\${region}/\${day}`,
    );
    expect(
      isRead(
        projectedPrefixes(properties),
        's3://aws-cloudtrail-logs-333333333333-abcd1234/AWSLogs/333333333333/CloudTrail/eu-central-1/2024/05/01/' +
          '333333333333_CloudTrail_eu-central-1_20240501T1010Z_x.json.gz',
      ),
    ).toBe(true);
  });

  it('projects to NOW when the window has no end', () => {
    const properties = tableProperties(
      cloudTrailTableSql(
        cloudTrailTableSpec(accountTrail, DATABASE, 'cloudtrail_0', { from: WINDOW.from, to: null }),
      ),
    );

    expect(properties['projection.day.range']).toBe('2024/04/30,NOW');
  });

  it(`looks back ${DEFAULT_LOOKBACK_DAYS} days from when the case was opened when the window is open`, () => {
    const properties = tableProperties(
      cloudTrailTableSql(
        cloudTrailTableSpec(
          accountTrail,
          DATABASE,
          'cloudtrail_0',
          querySpan(closeTimeWindow({ from: null, to: null }, OPENED_AT, 'lookback')),
        ),
      ),
    );

    // 90 days before 2024-05-10 is 2024-02-10 (a leap year), and a day earlier for delivery; the
    // window was closed when the case opened, a day later for delivery.
    expect(properties['projection.day.range']).toBe('2024/02/09,2024/05/11');
  });
});

describe('querySpan', () => {
  it('keeps a closed window as it is', () => {
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

describe('cloudTrailViewSql', () => {
  const viewSql = cloudTrailViewSql(DATABASE, ['cloudtrail_0', 'cloudtrail_1'], WINDOW);

  it('parses as Trino SQL and reads every location table', () => {
    const { ast, tableList } = parser.parse(viewSql, { database: 'trino' });

    expect(ast).toMatchObject({ type: 'create', keyword: 'view', replace: 'or replace' });
    expect(ast).toHaveProperty('view', { db: DATABASE, view: CLOUDTRAIL_VIEW });
    expect(tableList).toEqual([`select::${DATABASE}::cloudtrail_0`, `select::${DATABASE}::cloudtrail_1`]);
  });

  it('has exactly the CloudTrail data columns, in schema order, and no partition columns', () => {
    const { ast } = parser.parse(viewSql, { database: 'trino' });
    const select = (
      ast as unknown as { select: { columns: { expr: { column: { expr: { value: string } } } }[] } }
    ).select;

    expect(select.columns.map((column) => column.expr.column.expr.value)).toEqual(cloudtrailColumnNames);
    expect(viewSql).not.toMatch(/"(account|region|day)"/);
  });

  it('keeps only events inside the window', () => {
    expect(viewSql.split('\n').at(-1)).toBe(
      'WHERE from_iso8601_timestamp("eventtime") BETWEEN ' +
        "from_iso8601_timestamp('2024-05-01T10:00:00.000Z') AND from_iso8601_timestamp('2024-05-03T18:30:00.000Z')",
    );
  });

  it('keeps events from the start onwards when the window has no end', () => {
    const openSql = cloudTrailViewSql(DATABASE, ['cloudtrail_0'], { from: WINDOW.from, to: null });

    expect(() => parser.astify(openSql, { database: 'trino' })).not.toThrow();
    expect(openSql.split('\n').at(-1)).toBe(
      'WHERE from_iso8601_timestamp("eventtime") >= from_iso8601_timestamp(\'2024-05-01T10:00:00.000Z\')',
    );
  });

  it('refuses a window bound that could close the quote', () => {
    expect(() =>
      cloudTrailViewSql(DATABASE, ['cloudtrail_0'], {
        from: "2024-05-01T10:00:00.000Z') OR (true",
        to: null,
      }),
    ).toThrow(InvalidRequestError);
  });
});

describe('location validation', () => {
  it('splits an S3 location into bucket and a prefix ending in a slash', () => {
    expect(parseS3Location('s3://org-trail-logs/security/')).toEqual({
      bucket: 'org-trail-logs',
      prefix: 'security/',
    });
    expect(parseS3Location('s3://org-trail-logs/a/b')).toEqual({ bucket: 'org-trail-logs', prefix: 'a/b/' });
    expect(parseS3Location('s3://org-trail-logs')).toEqual({ bucket: 'org-trail-logs', prefix: '' });
  });

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
    expect(() => parseS3Location(location)).toThrow(InvalidRequestError);
  });

  it.each([
    ['an account id', { accounts: ["111111111111','x"] }],
    ['a region', { regions: ["us-east-1'"] }],
    ['an organization id', { organizationId: "o-a1b2c3d4e5'" }],
  ])('refuses %s that is not one', (_what, overrides) => {
    expect(() =>
      cloudTrailTableSpec({ ...accountTrail, ...overrides }, DATABASE, 'cloudtrail_0', querySpan(WINDOW)),
    ).toThrow(InvalidRequestError);
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
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE });
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

  it('records a source that AWS never delivers to S3 as skipped, with the reason', async () => {
    const engine = recordingEngine();
    const builder = new AthenaTableBuilder({ engine, databaseName: () => DATABASE });
    const result = await builder.build(
      caseContext(),
      inventory({ source: 'route53public', location: 's3://somewhere/', accounts: [], regions: [] }),
    );
    expect(result.tables).toEqual([]);
    expect(result.skipped).toEqual([
      expect.objectContaining({
        input: 's3://somewhere/',
        reason: expect.stringMatching(/not delivered to S3/),
      }),
    ]);
  });
});
