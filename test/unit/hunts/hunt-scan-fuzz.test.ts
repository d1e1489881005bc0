import { beforeAll, describe, expect, it } from 'vitest';
import { FLAGGED_CONDITION, rowPatternSql } from '../../../shared/domain/event-classes.js';
import { huntScans, type SourceScan } from '../../../shared/hunts/hunt-scan.js';
import { loadTestRecords } from '../../../shared/local/app/hunt-test-runner.js';
import { sqlString } from '../../../shared/sources/source-sql.js';
import { useHuntTestEngine } from '../../support/hunt-test-engine.js';

/**
 * The event names a scan is said to be limited to must hold for any condition: random WHERE clauses
 * over event names and another column, nested with AND, OR and NOT, with inequalities, patterns and
 * CASE, each run on DuckDB over every combination of a few event names and error codes, and again
 * over only the events its scan names. Whenever a list is given, the rows must be the same. The same
 * holds for a scan said to require a flagged row (an error code or long-term credentials): its rows
 * must be the same from the flagged rows alone.
 */
const NAMES = ['A', 'B', 'AB', 'Abc', 'Z'];
const CONDITIONS = 400;

function random(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state % n;
  };
}

/** A random condition; `tables` are the qualifiers a column may take ('' for none). */
function condition(pick: (n: number) => number, depth: number, tables = ['']): string {
  const name = () => sqlString(NAMES[pick(NAMES.length)] as string);
  const on = () => tables[pick(tables.length)] as string;
  const leaves = [
    () => `${on()}eventname = ${name()}`,
    () => `${on()}eventname IN (${name()}, ${name()})`,
    () => `${on()}eventname <> ${name()}`,
    () => `${on()}eventname LIKE 'A%'`,
    () => `regexp_like(${on()}eventname, '^A[a-z]')`,
    () => `regexp_like(coalesce(${on()}useragent, ''), 'kali')`,
    () => `coalesce(${on()}useragent, 'kali') LIKE '%kali%'`,
    // Without its escape the pattern would match a `!` and any character, never the `_` it means.
    () => `${on()}useragent LIKE '%!_1' ESCAPE '!'`,
    () => `${on()}errorcode = 'Denied'`,
    () => `${on()}errorcode IS NULL`,
    () => `CASE WHEN ${on()}eventname = ${name()} THEN true ELSE false END`,
    () => `lower(${on()}eventname) = ${sqlString((NAMES[pick(NAMES.length)] as string).toLowerCase())}`,
  ];
  return nested(pick, depth, () => (leaves[pick(leaves.length)] as () => string)());
}

/** A leaf, or two conditions of one level less joined by AND or OR, or one under NOT, at random. */
function nested(pick: (n: number) => number, depth: number, leaf: () => string): string {
  if (depth === 0 || pick(3) === 0) return leaf();
  const [left, right] = [nested(pick, depth - 1, leaf), nested(pick, depth - 1, leaf)];
  return [`(${left} AND ${right})`, `(${left} OR ${right})`, `NOT (${left})`][pick(3)] as string;
}

describe('the event names of a scan, for any condition', () => {
  const scratch = useHuntTestEngine('casefile-scan-fuzz-');
  beforeAll(async () => {
    const records = NAMES.flatMap((eventName, i) =>
      [null, 'Denied'].map((errorCode, j) => ({
        eventVersion: '1.08',
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/u', accountId: '111122223333' },
        eventTime: '2024-05-04T02:10:00Z',
        eventSource: 'iam.amazonaws.com',
        eventName,
        awsRegion: 'us-east-1',
        sourceIPAddress: '192.0.2.15',
        ...(errorCode ? { errorCode } : {}),
        ...(i % 2 === 0 ? { userAgent: `aws-cli/2 Linux/6.5.0-kali_${j}` } : {}),
        eventID: `00000000-0000-4000-8000-0000000000${i}${j}`,
        eventType: 'AwsApiCall',
        recipientAccountId: '111122223333',
      })),
    );
    await loadTestRecords(scratch.engine, scratch.dir, records, 'cloudtrail');
    await scratch.engine.execute('CREATE TABLE every_event AS SELECT * FROM "cloudtrail"');
  });

  /** The query's rows over every event, and again over only the events of its scan's names and patterns: they must be the same. */
  async function sameFromNamedEvents(sql: string, scan: Pick<SourceScan, 'eventNames' | 'patterns'>) {
    const names = scan.eventNames ?? [];
    const only = names.length > 0 ? names.map(sqlString).join(', ') : 'NULL';
    const cut = [`eventname IN (${only})`, ...scan.patterns.map(rowPatternSql)].join(' OR ');
    await scratch.engine.execute('CREATE OR REPLACE TABLE "cloudtrail" AS SELECT * FROM every_event');
    const full = await scratch.engine.run(sql, { maxRows: 1_000 });
    await scratch.engine.execute(
      `CREATE OR REPLACE TABLE "cloudtrail" AS SELECT * FROM every_event WHERE ${cut}`,
    );
    expect(full.truncated).toBe(false);
    expect((await scratch.engine.run(sql, { maxRows: 1_000 })).rows, sql).toEqual(full.rows);
  }

  it(`never names too few: ${CONDITIONS} random conditions return the same rows from their named events alone`, async () => {
    const pick = random(20250310);
    let limited = 0;
    for (let i = 0; i < CONDITIONS; i++) {
      const sql = `SELECT eventid FROM cloudtrail WHERE ${condition(pick, 3)} ORDER BY eventid`;
      const [scan] = huntScans({ sql, sources: ['cloudtrail'] });
      if (!scan?.eventNames) continue;
      limited += 1;
      await sameFromNamedEvents(sql, scan);
    }
    expect(limited, 'conditions the parser limits to named events').toBeGreaterThan(CONDITIONS / 10);
  });

  it(`never names too few for either side of a self-join: ${CONDITIONS} random conditions on both sides`, async () => {
    const pick = random(20250311);
    let limited = 0;
    for (let i = 0; i < CONDITIONS; i++) {
      const sides = [
        condition(pick, 2, ['a.']),
        condition(pick, 2, ['b.']),
        condition(pick, 2, ['a.', 'b.']),
      ];
      const where = sides.join(' AND ');
      const sql = `SELECT a.eventid AS a_id, b.eventid AS b_id FROM cloudtrail a JOIN cloudtrail AS b ON a.eventid <> b.eventid WHERE ${where} ORDER BY 1, 2`;
      const scans = huntScans({ sql, sources: ['cloudtrail'] });
      expect(scans).toHaveLength(2);
      if (scans.some((scan) => scan.eventNames === null)) continue;
      limited += 1;
      await sameFromNamedEvents(sql, {
        eventNames: [...new Set(scans.flatMap((scan) => scan.eventNames ?? []))],
        patterns: scans.flatMap((scan) => scan.patterns),
      });
    }
    expect(limited, 'conditions the parser limits to named events').toBeGreaterThan(CONDITIONS / 20);
  });

  it(`never names too few across query shapes: ${3 * CONDITIONS} random CTEs, subqueries and unions, identifiers in any case`, async () => {
    const pick = random(20261206);
    const any = (options: string[]) => options[pick(options.length)] as string;
    const table = () => any(['cloudtrail', 'CloudTrail', '"cloudtrail"', 'CLOUDTRAIL', 'cloudtrail_events']);
    const cte = () => any(['recent', 'Recent', '"Recent"', 'RECENT']);
    const shapes = [
      // A CTE over the source, joined to another scan of it; the CTE's name written two ways.
      () =>
        `WITH Recent AS (SELECT eventid, sourceipaddress FROM ${table()} WHERE ${condition(pick, 1)})
         SELECT a.eventid AS a_id, r.eventid AS r_id FROM ${table()} a JOIN ${cte()} r ON a.sourceipaddress = r.sourceipaddress
         WHERE ${condition(pick, 1, ['a.'])} ORDER BY 1, 2`,
      // A subquery whose conditions may name the outer, unaliased table by its own name.
      () =>
        `SELECT eventid FROM cloudtrail WHERE ${condition(pick, 1)} AND sourceipaddress IN (
           SELECT b.sourceipaddress FROM ${table()} b WHERE ${condition(pick, 1, ['b.', 'cloudtrail.'])}) ORDER BY 1`,
      () =>
        `SELECT eventid FROM ${table()} WHERE ${condition(pick, 1)}
         UNION ALL SELECT eventid FROM ${table()} WHERE ${condition(pick, 1)} ORDER BY 1`,
    ];
    let limited = 0;
    for (let i = 0; i < 3 * CONDITIONS; i++) {
      const sql = (shapes[pick(shapes.length)] as () => string)();
      const scans = huntScans({ sql, sources: ['cloudtrail'] });
      expect(scans.length, sql).toBeGreaterThanOrEqual(2);
      if (scans.some((scan) => scan.eventNames === null)) continue;
      limited += 1;
      await sameFromNamedEvents(sql, {
        eventNames: [...new Set(scans.flatMap((scan) => scan.eventNames ?? []))],
        patterns: scans.flatMap((scan) => scan.patterns),
      });
    }
    expect(limited, 'queries the parser limits to named events').toBeGreaterThan(CONDITIONS / 20);
  });
});

const IDENTITY_TYPES = ['IAMUser', 'Root', 'AssumedRole'];
/** Who calls: each identity type, and a role session of Identity Center, which the flag takes for a person. */
const IDENTITIES = [
  ...IDENTITY_TYPES.map((type) => ({ type, issuer: 'arn:aws:iam::111122223333:role/app' })),
  {
    type: 'AssumedRole',
    issuer: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123',
  },
];

/** A random condition over error codes, identity types and names; `tables` as in `condition`. */
function flagCondition(pick: (n: number) => number, depth: number, tables = ['']): string {
  const on = () => tables[pick(tables.length)] as string;
  const type = () => sqlString(IDENTITY_TYPES[pick(IDENTITY_TYPES.length)] as string);
  const leaves = [
    () => `${on()}errorcode IS NOT NULL`,
    () => `${on()}errorcode IS NULL`,
    () => `${on()}errorcode = 'Denied'`,
    () => `${on()}errorcode IN ('Denied', 'Other')`,
    () => `${on()}errorcode LIKE 'D%'`,
    () => `${on()}errorcode = ''`,
    () => `coalesce(${on()}errorcode, '') <> ''`,
    () => `${on()}useridentity.type = ${type()}`,
    () => `${on()}useridentity.type IN (${type()}, ${type()})`,
    () => `${on()}useridentity.type <> 'AssumedRole'`,
    () => `coalesce(${on()}useridentity.sessioncontext.sessionissuer.arn, '') LIKE '%/AWSReservedSSO_%'`,
    () => `${on()}useridentity.sessioncontext.sessionissuer.arn LIKE '%/AWSReservedSSO_%'`,
    () => `${on()}useridentity.sessioncontext.sessionissuer.arn LIKE '%/AWSReservedSSO!_%' ESCAPE '!'`,
    () => `${on()}useridentity.sessioncontext.sessionissuer.arn LIKE '%role/%'`,
    () => `${on()}eventname = ${sqlString(NAMES[pick(NAMES.length)] as string)}`,
    () => `CASE WHEN ${on()}errorcode IS NOT NULL THEN true ELSE false END`,
  ];
  return nested(pick, depth, () => (leaves[pick(leaves.length)] as () => string)());
}

describe('whether a scan requires a flagged row, for any condition', () => {
  const scratch = useHuntTestEngine('casefile-flag-fuzz-');
  beforeAll(async () => {
    const records = NAMES.flatMap((eventName, i) =>
      [null, 'Denied', ''].flatMap((errorCode, j) =>
        IDENTITIES.map(({ type, issuer }, k) => ({
          eventVersion: '1.08',
          userIdentity: {
            type,
            arn: `arn:aws:iam::111122223333:${type}/u`,
            accountId: '111122223333',
            sessionContext: { sessionIssuer: { type: 'Role', arn: issuer } },
          },
          eventTime: '2024-05-04T02:10:00Z',
          eventSource: 'iam.amazonaws.com',
          eventName,
          awsRegion: 'us-east-1',
          sourceIPAddress: '192.0.2.15',
          ...(errorCode === null ? {} : { errorCode }),
          eventID: `00000000-0000-4000-8000-000000000${i}${j}${k}`,
          eventType: 'AwsApiCall',
          recipientAccountId: '111122223333',
        })),
      ),
    );
    await loadTestRecords(scratch.engine, scratch.dir, records, 'cloudtrail');
    await scratch.engine.execute('CREATE TABLE every_event AS SELECT * FROM "cloudtrail"');
    const flagged = await scratch.engine.run(
      `SELECT count(*) AS n FROM every_event WHERE ${FLAGGED_CONDITION}`,
    );
    // Per name: every identity's two error codes, and the IAM user's, the root user's and the Identity Center session's calls without one.
    expect(Number(flagged.rows[0]?.n)).toBe(NAMES.length * (2 * IDENTITIES.length + 3));
  });

  async function sameFromFlaggedRows(sql: string) {
    await scratch.engine.execute('CREATE OR REPLACE TABLE "cloudtrail" AS SELECT * FROM every_event');
    const full = await scratch.engine.run(sql, { maxRows: 10_000 });
    await scratch.engine.execute(
      `CREATE OR REPLACE TABLE "cloudtrail" AS SELECT * FROM every_event WHERE ${FLAGGED_CONDITION}`,
    );
    expect(full.truncated).toBe(false);
    expect((await scratch.engine.run(sql, { maxRows: 10_000 })).rows, sql).toEqual(full.rows);
  }

  it(`never requires one wrongly: ${CONDITIONS} random conditions return the same rows from the flagged rows alone`, async () => {
    const pick = random(20261205);
    let limited = 0;
    for (let i = 0; i < CONDITIONS; i++) {
      const sql = `SELECT eventid FROM cloudtrail WHERE ${flagCondition(pick, 3)} ORDER BY eventid`;
      const [scan] = huntScans({ sql, sources: ['cloudtrail'] });
      if (!scan?.requiresFlagged) continue;
      limited += 1;
      await sameFromFlaggedRows(sql);
    }
    expect(limited, 'conditions the parser finds to require a flagged row').toBeGreaterThan(CONDITIONS / 10);
  });

  it(`never requires one wrongly for either side of a self-join: ${CONDITIONS} random conditions on both sides`, async () => {
    const pick = random(20261206);
    let limited = 0;
    for (let i = 0; i < CONDITIONS; i++) {
      const sides = [
        flagCondition(pick, 2, ['a.']),
        flagCondition(pick, 2, ['b.']),
        flagCondition(pick, 2, ['a.', 'b.']),
      ];
      const sql = `SELECT a.eventid AS a_id, b.eventid AS b_id FROM cloudtrail a JOIN cloudtrail AS b ON a.eventid <> b.eventid WHERE ${sides.join(' AND ')} ORDER BY 1, 2`;
      const scans = huntScans({ sql, sources: ['cloudtrail'] });
      expect(scans).toHaveLength(2);
      if (!scans.every((scan) => scan.requiresFlagged)) continue;
      limited += 1;
      await sameFromFlaggedRows(sql);
    }
    expect(limited, 'conditions the parser finds to require a flagged row on both sides').toBeGreaterThan(
      CONDITIONS / 20,
    );
  });
});
