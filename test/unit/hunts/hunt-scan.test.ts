import { describe, expect, it } from 'vitest';
import { loadHuntLibrary } from '../../../shared/hunts/hunt-library.js';
import { huntScans } from '../../../shared/hunts/hunt-scan.js';
import { cloudtrailColumnNames } from '../../../shared/sources/cloudtrail-schema.js';

const trail = (sql: string) => huntScans({ sql, sources: ['cloudtrail'] });

describe('what each scan of a hunt reads', () => {
  it('names the stored columns the query mentions, nested fields by their struct column', () => {
    const [scan] = trail(
      "SELECT eventtime, useridentity.arn AS who FROM cloudtrail_events WHERE eventname = 'StopLogging'",
    );
    expect(scan).toEqual({
      source: 'cloudtrail',
      columns: ['useridentity', 'eventtime', 'eventname'],
      eventNames: ['StopLogging'],
      patterns: [],
      baseline: false,
      requiresFlagged: false,
    });
  });

  it('names only what its own SELECT mentions, deep struct paths and function arguments included', () => {
    const [scan] = trail(
      "SELECT coalesce(useridentity.sessioncontext.sessionissuer.arn, '') AS issuer FROM cloudtrail WHERE regexp_like(coalesce(errorcode, ''), 'Denied')",
    );
    expect(scan?.columns).toEqual(['useridentity', 'errorcode']);
  });

  it('reads the view’s judgements as the copy stores them, columns of their own: actor, not the useridentity struct; outcome, not the request and response JSON', () => {
    const [scan] = trail("SELECT actor, outcome FROM cloudtrail_events WHERE eventname IN ('A', 'B')");
    expect(scan?.columns).toEqual(['eventname', 'actor', 'outcome']);
    expect(scan?.eventNames).toEqual(['A', 'B']);
  });

  it('counts a column named in double quotes, an identifier in Trino (https://trino.io/docs/current/language/reserved.html), which the parser reads as a string', () => {
    const [scan] = trail(
      `SELECT "actor" FROM "cloudtrail_events" WHERE "errorcode" IS NOT NULL AND "eventname" = 'StopLogging'`,
    );
    expect(scan?.columns).toEqual(['eventname', 'errorcode', 'actor']);
  });

  it('keeps the event names an AND narrows to, and drops them when an OR side names none', () => {
    expect(
      trail("SELECT eventid FROM cloudtrail WHERE eventname IN ('A', 'B') AND eventname = 'B'")[0]
        ?.eventNames,
    ).toEqual(['B']);
    expect(
      trail("SELECT eventid FROM cloudtrail WHERE eventname = 'A' OR eventname = 'B'")[0]?.eventNames,
    ).toEqual(['A', 'B']);
    expect(
      trail("SELECT eventid FROM cloudtrail WHERE eventname = 'A' OR errorcode = 'X'")[0]?.eventNames,
    ).toBeNull();
    expect(trail("SELECT eventid FROM cloudtrail WHERE NOT (eventname = 'A')")[0]?.eventNames).toBeNull();
  });

  /**
   * A pattern limits a scan to the rows it matches, which the copy writes to the named classes with the
   * rows of the names (shared/aws/athena-one-pass-sql.ts): on a stored column or a struct field, the
   * column bare or as `coalesce(column, '')`, never under NOT or through a fallback a NULL row would match.
   */
  it('reads cloudtrail_activity as a baseline scan of CloudTrail, which limits no route', () => {
    const [evidence, baseline] = trail(
      "WITH seen AS (SELECT actor, min(eventtime) AS since FROM cloudtrail_activity GROUP BY actor) SELECT e.eventid FROM cloudtrail_events e JOIN seen s ON e.actor = s.actor WHERE e.eventname = 'CreateFunction' AND e.eventtime > s.since",
    ).sort((a, b) => Number(a.baseline) - Number(b.baseline));
    expect(evidence).toMatchObject({ source: 'cloudtrail', eventNames: ['CreateFunction'], baseline: false });
    expect(baseline).toMatchObject({ source: 'cloudtrail', eventNames: null, baseline: true });
    expect(baseline?.columns).toEqual(['eventtime', 'actor']);
  });

  it('keeps the patterns a scan is limited to, with its names where an OR joins them', () => {
    const limit = (where: string) => {
      const [scan] = trail(`SELECT eventid FROM cloudtrail_events c WHERE ${where}`);
      return { eventNames: scan?.eventNames, patterns: scan?.patterns };
    };
    const deletes = { column: 'eventname', operator: 'regexp_like', pattern: '^Delete' };
    expect(limit("regexp_like(eventname, '^Delete')")).toEqual({ eventNames: [], patterns: [deletes] });
    expect(limit("regexp_like(eventname, '^Delete') OR c.eventname = 'A'")).toEqual({
      eventNames: ['A'],
      patterns: [deletes],
    });
    expect(limit("c.eventname = 'A' AND regexp_like(eventname, '^Delete')")).toEqual({
      eventNames: ['A'],
      patterns: [],
    });
    expect(limit("coalesce(c.useridentity.sessioncontext.sessionissuer.arn, '') LIKE '%/x%'")).toEqual({
      eventNames: [],
      patterns: [
        { column: 'useridentity.sessioncontext.sessionissuer.arn', operator: 'LIKE', pattern: '%/x%' },
      ],
    });
    expect(limit("coalesce(useragent, 'kali') LIKE '%kali%'").eventNames).toBeNull();
    expect(limit("NOT regexp_like(eventname, '^Delete')").eventNames).toBeNull();
    expect(limit("regexp_like(actor, 'x')").eventNames).toBeNull();
    expect(limit("regexp_like(eventname, '^Delete') OR errorcode = 'X'").eventNames).toBeNull();
  });

  /**
   * A scan's names decide whether its hunt may read only the named events of the Athena copy: a list
   * too narrow would lose rows there, so whatever the parser cannot prove limits nothing.
   */
  it.each([
    ['a negation', "SELECT eventid FROM cloudtrail WHERE NOT eventname IN ('A', 'B')"],
    ['an inequality', "SELECT eventid FROM cloudtrail WHERE eventname <> 'A'"],
    [
      'a pattern on a derived column',
      "SELECT eventid FROM cloudtrail_events WHERE actor LIKE 'arn:%' OR eventname = 'A'",
    ],
    // Written into the copy's one statement, a regular expression Trino rejects would cost the whole copy.
    ['a named group', "SELECT eventid FROM cloudtrail WHERE regexp_like(useragent, '(?P<tool>pacu)')"],
    ['a lookahead', "SELECT eventid FROM cloudtrail WHERE regexp_like(eventname, '^Delete(?=Bucket)')"],
    ['a flag other than (?i)', "SELECT eventid FROM cloudtrail WHERE regexp_like(eventname, '(?s)^Delete')"],
    ['a CASE', "SELECT eventid FROM cloudtrail WHERE CASE WHEN eventname = 'A' THEN true ELSE false END"],
    ['a function of the name', "SELECT eventid FROM cloudtrail WHERE lower(eventname) = 'a'"],
    [
      'a subquery',
      "SELECT eventid FROM cloudtrail WHERE eventname IN (SELECT eventname FROM cloudtrail_events WHERE eventname = 'A')",
    ],
    ['a bound parameter', 'SELECT eventid FROM cloudtrail WHERE eventname = ?'],
    ['a concatenation', "SELECT eventid FROM cloudtrail WHERE eventname = 'Create' || 'User'"],
    ['a literal holding a quote', "SELECT eventid FROM cloudtrail WHERE eventname = 'O''Brien'"],
    ['a row comparison', "SELECT eventid FROM cloudtrail WHERE (eventname, errorcode) IN (('A', 'x'))"],
    [
      'a LIKE with an ESCAPE character, which the copy’s class test would drop',
      "SELECT eventid FROM cloudtrail WHERE eventname LIKE 'Get!_%' ESCAPE '!'",
    ],
    [
      'a pattern on a map’s value by subscript, which the copy’s class test would read as the whole map',
      "SELECT eventid FROM cloudtrail WHERE useridentity.sessioncontext.webidfederationdata.attributes['aud'] LIKE '%x%'",
    ],
    [
      'a pattern on a field path the copy’s class test cannot write, which would fail the case’s routing',
      "SELECT eventid FROM cloudtrail WHERE useridentity._x LIKE '%x%'",
    ],
  ])('takes %s as naming no events', (_what, sql) => {
    expect(trail(sql)[0]?.eventNames).toBeNull();
  });

  it('gives each side of a self-join only the names its own alias is limited to', () => {
    const scans = trail(
      "SELECT a.eventid FROM cloudtrail_events a JOIN cloudtrail_events AS b ON a.actor = b.actor WHERE a.eventname = 'CreateUser' AND b.eventname IN ('AttachUserPolicy', 'CreateAccessKey')",
    );
    expect(scans.map((s) => s.eventNames)).toEqual([['CreateUser'], ['AttachUserPolicy', 'CreateAccessKey']]);
    const crossed = trail(
      "SELECT a.eventid FROM cloudtrail a, cloudtrail b WHERE a.eventname = 'A' OR b.eventname = 'B'",
    );
    expect(crossed.map((s) => s.eventNames)).toEqual([null, null]);
  });

  it('takes an unqualified name in a join as the source’s only where no other FROM item can have that column', () => {
    const named = [
      "SELECT c.eventid FROM cloudtrail_events c CROSS JOIN UNNEST(c.resources) AS r(res) WHERE eventname = 'A'",
      "WITH f AS (SELECT DISTINCT recipientaccountid FROM cloudtrail_events WHERE errorcode IS NULL) SELECT c.eventid FROM cloudtrail_events c JOIN f ON f.recipientaccountid = c.recipientaccountid WHERE eventname = 'A'",
      "SELECT c.eventid FROM cloudtrail c JOIN (SELECT eventid AS other_id, count(*) FROM cloudtrail GROUP BY eventid) s ON s.other_id = c.eventid WHERE eventname = 'A'",
    ];
    for (const sql of named)
      expect(
        trail(sql).map((scan) => scan.eventNames),
        sql,
      ).toContainEqual(['A']);
    const ambiguous = [
      "SELECT c.eventid FROM cloudtrail_events c CROSS JOIN UNNEST(c.resources) AS r(eventname) WHERE eventname = 'A'",
      "SELECT c.eventid FROM cloudtrail_events c CROSS JOIN UNNEST(c.resources) WHERE eventname = 'A'",
      "WITH f AS (SELECT errorcode AS EventName FROM cloudtrail_events) SELECT c.eventid FROM cloudtrail_events c JOIN f ON f.eventname = c.errorcode WHERE eventname = 'A'",
      "WITH f AS (SELECT * FROM cloudtrail_events) SELECT c.eventid FROM cloudtrail_events c JOIN f ON f.eventid = c.eventid WHERE eventname = 'A'",
      "SELECT c.eventid FROM cloudtrail c JOIN (SELECT s.* FROM cloudtrail s) s ON s.eventid = c.eventid WHERE eventname = 'A'",
    ];
    for (const sql of ambiguous)
      expect(
        trail(sql).map((scan) => scan.eventNames),
        sql,
      ).not.toContainEqual(['A']);
  });

  it('finds the names inside a subquery’s own scan and in each branch of a UNION', () => {
    const scans = trail(
      "SELECT eventid FROM cloudtrail WHERE eventname = 'A' UNION ALL SELECT eventid FROM cloudtrail WHERE useridentity.arn IN (SELECT actor FROM cloudtrail_events WHERE eventname = 'B')",
    );
    expect(scans.map((s) => s.eventNames)).toEqual([['A'], null, ['B']]);
  });

  it('counts a common table expression over the source once per use: Trino inlines it', () => {
    const scans = trail(
      "WITH calls AS (SELECT actor, eventid FROM cloudtrail_events WHERE eventname = 'A') SELECT a.eventid FROM calls a JOIN calls b ON a.actor = b.actor",
    );
    expect(scans).toHaveLength(2);
  });

  it('reads, for each use of a CTE, only the outputs that use names, besides the CTE’s own filter columns', () => {
    const scans = trail(
      [
        'WITH calls AS (',
        '  SELECT actor, eventid, from_iso8601_timestamp(eventtime) AS ts FROM cloudtrail_events',
        "  WHERE regexp_like(coalesce(errorcode, ''), 'Denied')",
        '),',
        'first_seen AS (SELECT actor, min(ts) AS first_ts FROM calls GROUP BY actor),',
        'counted AS (SELECT count(*) AS n FROM calls),',
        'everything AS (SELECT c.* FROM calls c)',
        'SELECT e.eventid, f.first_ts, n FROM everything e JOIN first_seen f ON e.actor = f.actor CROSS JOIN counted',
      ].join('\n'),
    );
    expect(scans.map((s) => s.columns)).toEqual([
      ['eventtime', 'errorcode', 'actor'],
      ['errorcode'],
      ['eventtime', 'errorcode', 'eventid', 'actor'],
    ]);
  });

  it('reads every column for SELECT * from the source (and the view’s judgements from the view), but not for a star over a CTE', () => {
    expect(trail('SELECT * FROM cloudtrail')[0]?.columns).toEqual(cloudtrailColumnNames);
    expect(trail('SELECT * FROM cloudtrail_events')[0]?.columns).toEqual([
      ...cloudtrailColumnNames,
      'actor',
      'by_aws_service',
      'outcome',
    ]);
    const overCte = trail('WITH c AS (SELECT eventid FROM cloudtrail_events) SELECT c.* FROM c');
    expect(overCte[0]?.columns).toEqual(['eventid']);
  });

  it('requires a flagged row where an AND-conjunct holds only for an error code or long-term credentials', () => {
    const flagged = (where: string, from = 'cloudtrail_events') =>
      trail(`SELECT eventid FROM ${from} WHERE ${where}`).map((scan) => scan.requiresFlagged);
    for (const where of [
      'errorcode IS NOT NULL',
      "errorcode = 'AccessDenied' AND eventname = 'A'",
      "errorcode IN ('AccessDenied', 'Client.UnauthorizedOperation')",
      "errorcode LIKE '%Denied%' OR errorcode = 'Forbidden'",
      "useridentity.type = 'Root'",
      "useridentity.type IN ('IAMUser', 'Root') AND NOT by_aws_service",
      "(useridentity.type = 'IAMUser' OR errorcode IS NOT NULL) AND eventname = 'A'",
    ])
      expect(flagged(where), where).toEqual([true]);
    expect(flagged("c.useridentity.type = 'Root' AND c.eventname = 'A'", 'cloudtrail_events c')).toEqual([
      true,
    ]);
    for (const where of [
      "useridentity.type IN ('IAMUser', 'AssumedRole')",
      "useridentity.type <> 'AssumedRole'",
      "useridentity.sessioncontext.sessionissuer.type = 'Root'",
      "errorcode = ''",
      'NOT (errorcode IS NULL)',
      "errorcode NOT LIKE 'x%'",
      "coalesce(errorcode, '') <> ''",
      "regexp_like(coalesce(errorcode, ''), 'Denied')",
      'errorcode = ?',
      "errorcode IS NOT NULL OR eventname = 'A'",
      'CASE WHEN errorcode IS NOT NULL THEN true ELSE false END',
      // A failed console sign-in has no error code: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
      "outcome = 'failure'",
    ])
      expect(flagged(where), where).toEqual([false]);
  });

  it('requires a flagged row of a scan only through its own columns: qualified by its name, or unqualified where no other FROM item can have them', () => {
    const requires = (sql: string) => trail(sql).map((scan) => scan.requiresFlagged);
    expect(
      requires(
        "SELECT a.eventid FROM cloudtrail a JOIN cloudtrail b ON a.eventid = b.eventid WHERE a.errorcode IS NOT NULL AND b.useridentity.type = 'Root'",
      ),
    ).toEqual([true, true]);
    expect(requires('SELECT x.eventid FROM cloudtrail x, cloudtrail y WHERE errorcode IS NOT NULL')).toEqual([
      false,
      false,
    ]);
    expect(
      requires(
        "SELECT eventid FROM cloudtrail CROSS JOIN UNNEST(ARRAY['x']) AS t(errorcode) WHERE errorcode IS NOT NULL",
      ),
    ).toEqual([false]);
    expect(
      requires(
        "SELECT eventid FROM cloudtrail CROSS JOIN UNNEST(ARRAY['x']) AS t(v) WHERE errorcode IS NOT NULL",
      ),
    ).toEqual([true]);
    expect(
      requires(
        "SELECT eventid FROM cloudtrail CROSS JOIN UNNEST(ARRAY['Root']) AS useridentity(type) WHERE useridentity.type = 'Root'",
      ),
    ).toEqual([false]);
    expect(
      requires(
        'WITH d AS (SELECT eventid FROM cloudtrail WHERE errorcode IS NOT NULL) SELECT count(*) FROM d JOIN d AS e ON d.eventid = e.eventid',
      ),
    ).toEqual([true, true]);
  });

  it('parses every hunt of the library, and every hunt scans at least one of its sources', async () => {
    for (const hunt of await loadHuntLibrary()) {
      const scans = huntScans(hunt);
      expect(scans.length, hunt.id).toBeGreaterThan(0);
      for (const scan of scans) expect(hunt.sources, hunt.id).toContain(scan.source);
    }
  });
});

describe('the scans a hunt makes, whatever case and names it writes them with', () => {
  const named = (sql: string) => trail(sql).map((scan) => [scan.eventNames, scan.requiresFlagged]);

  it('sees a CTE or a source written in any case, as Trino and DuckDB read identifiers', () => {
    for (const cte of ['Recent', 'RECENT', '"Recent"']) {
      expect(
        named(
          `WITH ${cte} AS (SELECT sourceipaddress FROM cloudtrail WHERE errorcode IS NULL)
           SELECT c.eventname FROM cloudtrail c JOIN ${cte} r ON c.sourceipaddress = r.sourceipaddress
           WHERE c.eventname = 'CreateUser'`,
        ),
        cte,
      ).toEqual(expect.arrayContaining([[null, false]]));
    }
    expect(
      named(
        `SELECT eventname FROM cloudtrail WHERE eventname = 'CreateUser'
         UNION ALL SELECT eventname FROM Cloudtrail_Events WHERE outcome = 'failure'`,
      ),
    ).toEqual([
      [['CreateUser'], false],
      [null, false],
    ]);
  });

  it('gives up on a hunt reading a table that is neither a source nor a CTE: a partial list would route it to too few rows', () => {
    expect(() => trail('SELECT eventname FROM cloudtrail_archive')).toThrow(/cloudtrail_archive/);
  });

  it('gives up on a hunt naming a CTE like a table it reads: the table is still read where the CTE is not in scope', () => {
    expect(() =>
      trail(
        "WITH cloudtrail AS (SELECT eventid FROM cloudtrail) SELECT eventid FROM cloudtrail_events WHERE eventname = 'A'",
      ),
    ).toThrow(/CTE 'cloudtrail'/);
    expect(() =>
      trail(
        "SELECT eventid FROM cloudtrail WHERE eventid IN (WITH Cloudtrail_Events AS (SELECT eventid FROM cloudtrail WHERE eventname = 'A') SELECT eventid FROM cloudtrail_events)",
      ),
    ).toThrow(/CTE 'cloudtrail_events'/);
  });

  it('takes an aliased table’s own name, inside a subquery, as the outer query’s: the alias hides it', () => {
    const scans = named(
      `SELECT eventname FROM cloudtrail WHERE errorcode IS NOT NULL AND sourceipaddress IN (
         SELECT b.sourceipaddress FROM cloudtrail b WHERE cloudtrail.errorcode IS NOT NULL AND b.eventname = 'GetObject')`,
    );
    expect(scans).toEqual([
      [null, true],
      [['GetObject'], false],
    ]);
  });
});
