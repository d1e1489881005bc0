import pkg from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import {
  MAX_QUERY_BYTES,
  onePassCopySql,
  routedDatabase,
  routedViewsSql,
} from '../../../shared/aws/athena-one-pass-sql.js';
import {
  BUCKETS_PER_CLASS,
  eventClassRouting,
  MAX_WRITERS_PER_STATEMENT,
} from '../../../shared/domain/event-classes.js';
import { logSourceIds } from '../../../shared/domain/log-sources.js';
import { InvalidRequestError } from '../../../shared/errors.js';
import { CLOUDTRAIL_EVENTS_COLUMNS } from '../../../shared/sources/cloudtrail-view.js';
import { compactEventIdColumns } from '../../../shared/sources/compact-event-id-sql.js';
import { logSourceModule } from '../../../shared/sources/registry.js';

const { Parser } = pkg;
const LOCATION = 's3://case-bucket/cases/case-1/one-pass/cloudtrail/attempt-1/';
/** The copy with `names` named; AssumeRole, a heavy event, goes to the heavy class. */
const copyOf = (source: string, names: string[], columns = logSourceModule(source as 'cloudtrail').columns) =>
  onePassCopySql({
    database: 'casefile_case_1',
    source,
    copy: `${source}_copy`,
    columns,
    location: LOCATION,
    namedEvents: {
      names: names.filter((n) => n !== 'AssumeRole'),
      heavyNames: names.filter((n) => n === 'AssumeRole'),
    },
  });

/**
 * What one CTAS or INSERT INTO opens writers for: its partitions times its buckets. Athena refuses
 * more than 100 ("HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers for
 * partitions/buckets", https://docs.aws.amazon.com/athena/latest/ug/ctas-insert-into.html). A
 * partition column is bounded only when the statement computes it from constants: the partitions are
 * the distinct constants its expression can give.
 */
function writersOf(statement: string): number {
  const buckets = Number(/bucket_count\s*=\s*(\d+)/i.exec(statement)?.[1] ?? 1);
  const partitioned = /partitioned_by\s*=\s*ARRAY\['([a-z_]+)'\]/i.exec(statement);
  if (!partitioned) return buckets;
  const expression =
    new RegExp(`CAST\\((.*) AS varchar\\) AS "${partitioned[1]}"`).exec(statement)?.[1] ?? '';
  expect(expression, 'a partition column with no bound known before the copy runs').not.toBe('');
  const outcomes = expression.startsWith('CASE ')
    ? [...expression.matchAll(/(?:THEN|ELSE) ('[^']*')/g)].map((m) => m[1])
    : [expression];
  expect(outcomes.every((v) => /^'[a-z_]+'$/.test(v ?? ''))).toBe(true);
  return new Set(outcomes).size * buckets;
}

describe('the one-pass copy statement', () => {
  it('stays within the 100 writers one CTAS may open, for every source, with or without named events', () => {
    for (const source of logSourceIds) {
      for (const named of [[], ['CreateUser', 'StopLogging'], ['CreateUser', 'AssumeRole']]) {
        const sql = copyOf(source, named);
        expect(sql).not.toMatch(/INSERT INTO/i);
        expect(writersOf(sql), source).toBeLessThanOrEqual(MAX_WRITERS_PER_STATEMENT);
      }
    }
    expect(writersOf(copyOf('cloudtrail', ['CreateUser', 'AssumeRole']))).toBe(5 * BUCKETS_PER_CLASS);
    expect(5 * BUCKETS_PER_CLASS).toBe(MAX_WRITERS_PER_STATEMENT);
  });

  it('partitions CloudTrail by event class, the flagged rows of named events apart from the other flagged rows, the class column last, each class bucketed by eventname, Parquet with zstd, the event id in 16 bytes, the judgements of cloudtrail_events stored', () => {
    expect(
      copyOf(
        'cloudtrail',
        ['StopLogging', 'AssumeRole', 'CreateUser', 'StopLogging'],
        ['eventname', 'eventid'],
      ),
    ).toBe(
      [
        'CREATE TABLE "casefile_case_1"."cloudtrail_copy"',
        'WITH (',
        "  format = 'PARQUET',",
        "  write_compression = 'ZSTD',",
        "  partitioned_by = ARRAY['event_class'],",
        "  bucketed_by = ARRAY['eventname'],",
        `  bucket_count = ${BUCKETS_PER_CLASS},`,
        `  external_location = '${LOCATION}'`,
        ') AS',
        `SELECT "eventname", ${compactEventIdColumns().join(', ')}, ${CLOUDTRAIL_EVENTS_COLUMNS.map((c) => `${c.sql} AS "${c.name}"`).join(', ')}, CAST(CASE WHEN "eventname" IN ('StopLogging', 'CreateUser') THEN CASE WHEN (errorcode IS NOT NULL OR useridentity.type IN ('IAMUser', 'Root') OR coalesce(useridentity.sessioncontext.sessionissuer.arn, '') LIKE '%/AWSReservedSSO_%') THEN 'named_flagged' ELSE 'named' END WHEN "eventname" IN ('AssumeRole') THEN CASE WHEN (errorcode IS NOT NULL OR useridentity.type IN ('IAMUser', 'Root') OR coalesce(useridentity.sessioncontext.sessionissuer.arn, '') LIKE '%/AWSReservedSSO_%') THEN 'named_flagged' ELSE 'named_heavy' END WHEN (errorcode IS NOT NULL OR useridentity.type IN ('IAMUser', 'Root') OR coalesce(useridentity.sessioncontext.sessionissuer.arn, '') LIKE '%/AWSReservedSSO_%') THEN 'flagged' ELSE 'other' END AS varchar) AS "event_class"`,
        'FROM "casefile_case_1"."cloudtrail"',
      ].join('\n'),
    );
  });

  it('puts every unflagged event in the other class when no hunt names its events', () => {
    const sql = copyOf('cloudtrail', [], ['eventname']);
    expect(sql).toContain(
      `, CAST(CASE WHEN (errorcode IS NOT NULL OR useridentity.type IN ('IAMUser', 'Root') OR coalesce(useridentity.sessioncontext.sessionissuer.arn, '') LIKE '%/AWSReservedSSO_%') THEN 'flagged' ELSE 'other' END AS varchar) AS "event_class"`,
    );
  });

  it('puts the rows of a light pattern with the light names, and the flagged rows of a heavy pattern in the flagged class, so no named route reads them', () => {
    const sql = onePassCopySql({
      database: 'casefile_case_1',
      source: 'cloudtrail',
      copy: 'cloudtrail_copy',
      columns: ['eventname'],
      location: LOCATION,
      namedEvents: {
        names: ['CreateUser'],
        heavyNames: [],
        patterns: [{ column: 'useragent', operator: 'regexp_like', pattern: "(?i)pacu'" }],
        heavyPatterns: [{ column: 'eventname', operator: 'regexp_like', pattern: '^(List|Get)' }],
      },
    });
    const flagged = `(errorcode IS NOT NULL OR useridentity.type IN ('IAMUser', 'Root') OR coalesce(useridentity.sessioncontext.sessionissuer.arn, '') LIKE '%/AWSReservedSSO_%')`;
    expect(sql).toContain(
      `CASE WHEN "eventname" IN ('CreateUser') OR regexp_like(coalesce(useragent, ''), '(?i)pacu''') THEN CASE WHEN ${flagged} THEN 'named_flagged' ELSE 'named' END WHEN regexp_like(coalesce(eventname, ''), '^(List|Get)') THEN CASE WHEN ${flagged} THEN 'flagged' ELSE 'named_heavy' END WHEN ${flagged} THEN 'flagged' ELSE 'other' END`,
    );
  });

  it('refuses a pattern on anything but a column path: the path is written into the statement', () => {
    const withColumn = (column: string) => () =>
      onePassCopySql({
        database: 'casefile_case_1',
        source: 'cloudtrail',
        copy: 'cloudtrail_copy',
        columns: ['eventname'],
        location: LOCATION,
        namedEvents: { names: [], heavyNames: [], patterns: [{ column, operator: 'LIKE', pattern: '%' }] },
      });
    expect(withColumn('useridentity.sessioncontext.sessionissuer.arn')).not.toThrow();
    expect(withColumn("eventname, '') OR true OR coalesce(x")).toThrow(RangeError);
  });

  it('copies a source without a bucket column as it is: no class, no buckets', () => {
    const sql = copyOf('vpcflow', ['CreateUser']);
    expect(sql).not.toMatch(/partitioned_by|bucketed_by|event_class|CreateUser/);
  });

  it('writes a hostile event name as one string literal: the statement still parses to the same single CTAS', () => {
    const hostile = "X') THEN 'other' END AS varchar) AS \"event_class\" FROM t; DROP TABLE x; --";
    const sql = copyOf('cloudtrail', [hostile], ['eventname']);
    expect(sql).toContain(
      `IN ('X'') THEN ''other'' END AS varchar) AS "event_class" FROM t; DROP TABLE x; --')`,
    );
    const select = sql.slice(sql.indexOf('SELECT'));
    const ast = new Parser().astify(select, { database: 'trino' });
    expect(Array.isArray(ast) ? ast.length : 1).toBe(1);
  });

  it(`stays within Athena's ${MAX_QUERY_BYTES} bytes with as many names and patterns as the routing admits, the stored id and judgements included`, () => {
    // Hunts each naming distinct long names and a long pattern, until the routing's list budget refuses more.
    const hunts = Array.from({ length: 4000 }, (_, i) => ({
      huntId: `hunt-${String(i).padStart(4, '0')}`,
      scans: [
        {
          source: 'cloudtrail' as const,
          eventNames: [`${'N'.repeat(60)}${i}`],
          patterns: [
            { column: 'useragent', operator: 'regexp_like' as const, pattern: `${'p'.repeat(60)}${i}` },
          ],
        },
      ],
    }));
    const routing = eventClassRouting(hunts);
    expect(hunts.length).toBeGreaterThan(routing.hunts.length + routing.heavyPatternHunts.length);
    const sql = onePassCopySql({
      database: `casefile_${'c'.repeat(200)}`,
      source: 'cloudtrail',
      copy: 'cloudtrail_copy',
      columns: logSourceModule('cloudtrail').columns,
      location: LOCATION,
      namedEvents: routing,
    });
    expect(sql).toContain('"eventid_bytes"');
    expect(sql).toContain('AS "outcome"');
    expect(new TextEncoder().encode(sql).length).toBeLessThanOrEqual(MAX_QUERY_BYTES);
  });

  it(`refuses a list of names that would pass Athena's ${MAX_QUERY_BYTES} bytes of query text`, () => {
    const names = Array.from({ length: 3000 }, (_, i) => `${'N'.repeat(90)}${i}`);
    expect(() => copyOf('cloudtrail', names, ['eventname'])).toThrow(InvalidRequestError);
  });

  it('refuses a location that could break out of its quotes, and a column name that is not one', () => {
    const base = {
      database: 'casefile_case_1',
      source: 'cloudtrail',
      copy: 'cloudtrail_copy',
      namedEvents: { names: [], heavyNames: [] },
    };
    expect(() => onePassCopySql({ ...base, columns: ['eventid'], location: "s3://case-bucket/x'/" })).toThrow(
      InvalidRequestError,
    );
    expect(() =>
      onePassCopySql({ ...base, columns: ['eventid'], location: 's3://case-bucket/no-trailing-slash' }),
    ).toThrow(InvalidRequestError);
    expect(() => onePassCopySql({ ...base, columns: ['eventid"; DROP'], location: LOCATION })).toThrow(
      InvalidRequestError,
    );
  });
});

describe('the databases of the routed hunts', () => {
  it('keep the case database prefix the IAM policies grant, one per route, and differ for two long databases alike in their first 230 characters', () => {
    const long = `casefile_${'a'.repeat(240)}`;
    expect(routedDatabase('casefile_case_1', 'named')).toMatch(/^casefile_case_1_named_[0-9a-f]{8}$/);
    expect(routedDatabase('casefile_case_1', 'flagged')).toMatch(/^casefile_case_1_flagged_[0-9a-f]{8}$/);
    expect(routedDatabase('casefile_case_1', 'named-and-heavy')).toMatch(
      /^casefile_case_1_named_and_heavy_[0-9a-f]{8}$/,
    );
    expect(routedDatabase(`${long}1`, 'named')).not.toBe(routedDatabase(`${long}2`, 'named'));
    expect(routedDatabase(`${long}1`, 'named-and-heavy').length).toBeLessThanOrEqual(255);
  });

  it('read their route’s classes of the copy, cloudtrail_events with the judgements the copy stored', () => {
    const [light] = routedViewsSql('casefile_case_1', 'named', 'cloudtrail_copy', ['eventname']);
    const [flagged] = routedViewsSql('casefile_case_1', 'flagged', 'cloudtrail_copy', ['eventname']);
    const [cloudtrail, events] = routedViewsSql('casefile_case_1', 'named-and-heavy', 'cloudtrail_copy', [
      'eventname',
    ]);
    const routed = routedDatabase('casefile_case_1', 'named-and-heavy');
    expect(flagged).toContain(
      `FROM "casefile_case_1"."cloudtrail_copy"\nWHERE "event_class" IN ('flagged', 'named_flagged')`,
    );
    expect(light).toContain(`WHERE "event_class" IN ('named', 'named_flagged')`);
    expect(cloudtrail).toContain(`WHERE "event_class" IN ('named', 'named_heavy', 'named_flagged')`);
    expect(events).toBe(
      [
        `CREATE OR REPLACE VIEW "${routed}"."cloudtrail_events" AS`,
        'SELECT "eventname", "actor", "by_aws_service", "outcome"',
        'FROM "casefile_case_1"."cloudtrail_copy"',
        `WHERE "event_class" IN ('named', 'named_heavy', 'named_flagged')`,
      ].join('\n'),
    );
  });
});
