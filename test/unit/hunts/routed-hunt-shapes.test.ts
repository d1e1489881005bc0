import { beforeAll, describe, expect, it } from 'vitest';
import {
  EVENT_CLASS_COLUMN,
  EVENT_CLASSES,
  type EventRoute,
  eventClassRouting,
  ROUTE_CLASSES,
  routeOf,
} from '../../../shared/domain/event-classes.js';
import { huntScans } from '../../../shared/hunts/hunt-scan.js';
import { loadTestRecords } from '../../../shared/local/app/hunt-test-runner.js';
import { eventClassExpression } from '../../../shared/sources/cloudtrail-class-sql.js';
import {
  cloudtrailActivityViewSql,
  cloudtrailEventsViewSql,
} from '../../../shared/sources/cloudtrail-view.js';
import { sqlString } from '../../../shared/sources/source-sql.js';
import { useHuntTestEngine } from '../../support/hunt-test-engine.js';

/**
 * Hunt shapes a hostile reader of the routing would try, each run on DuckDB over a few events that
 * tell the shapes apart, once over every event and once over only the classes its route reads, the
 * rows classed by the copy's own class expression (the CTAS's). A hunt the routing does not route
 * reads every class. The rows must be the same: a route may only ever be too wide.
 */
const ROLE = {
  type: 'AssumedRole',
  arn: 'arn:aws:sts::111122223333:assumed-role/app/i-0abc',
  accountId: '111122223333',
  sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/app' } },
};
const SSO = {
  type: 'AssumedRole',
  arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/ana',
  accountId: '111122223333',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      arn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123',
    },
  },
};
const WEB_IDENTITY = {
  ...ROLE,
  type: 'WebIdentityUser',
  sessionContext: {
    webIdFederationData: { federatedProvider: 'accounts.google.com', attributes: { aud: 'x_y' } },
  },
};

/** The routing of the one hunt; one whose scans cannot be read reads every event, as in CreateTables. */
const routingOf = (sql: string) => {
  let scans: { source: 'cloudtrail'; eventNames: string[] | null }[];
  try {
    scans = huntScans({ sql, sources: ['cloudtrail'] }) as typeof scans;
  } catch {
    scans = [{ source: 'cloudtrail', eventNames: null }];
  }
  return eventClassRouting([{ huntId: 'h', scans }]);
};

function event(i: number, eventName: string, userAgent: string | null, identity: object = ROLE) {
  return {
    eventVersion: '1.08',
    userIdentity: identity,
    eventTime: `2024-05-04T02:10:0${i % 10}Z`,
    eventSource: 'iam.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.15',
    ...(userAgent === null ? {} : { userAgent }),
    eventID: `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  };
}

const RECORDS = [
  { ...event(8, 'DeleteUser', 'tool_x/2.0'), errorCode: 'AccessDenied' },
  { ...event(10, 'AssumeRole', 'tool_z/1.0'), errorCode: 'AccessDenied' },
  event(11, 'GetParameters', 'aws-sdk-go/1.0'),
  event(9, 'ListUsers', 'aws-cli/2', { ...ROLE, type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/bo' }),
  event(1, 'DeleteUser', 'tool_x/1.0'),
  event(2, 'DeleteUser', 'tool!x/1.0'),
  event(3, 'CreateUser', 'aws-cli/2 kali'),
  event(4, 'ListUsers', null),
  event(5, 'AssumeRole', 'boto3/1.34'),
  event(6, 'CreateUser', 'console', SSO),
  event(7, 'AssumeRoleWithWebIdentity', 'sdk_x', WEB_IDENTITY),
];

describe('a routed hunt returns, from what its route reads, the rows it returns from every event', () => {
  const scratch = useHuntTestEngine('casefile-routed-shapes-');
  beforeAll(async () => {
    await loadTestRecords(scratch.engine, scratch.dir, RECORDS, 'cloudtrail');
    await scratch.engine.execute('CREATE TABLE every_event AS SELECT * FROM "cloudtrail"');
    await scratch.engine.execute(
      cloudtrailEventsViewSql((name) => (name === 'cloudtrail' ? 'every_event' : `every_${name}`)),
    );
    await scratch.engine.execute(cloudtrailActivityViewSql('cloudtrail_activity', 'every_cloudtrail_events'));
  });

  /** The hunt's rows over the classes a routing sends it to (its own by default; every class when it takes no route). */
  async function rowsOn(sql: string, routed: boolean, routing = routingOf(sql), huntId = 'h') {
    const route = routeOf(routing, huntId);
    const classes = (routed && route ? ROUTE_CLASSES[route] : [...EVENT_CLASSES]).map(sqlString).join(', ');
    await scratch.engine.execute(
      `CREATE OR REPLACE TABLE "cloudtrail" AS SELECT * EXCLUDE (${EVENT_CLASS_COLUMN}) FROM (SELECT *, ${eventClassExpression('eventname', routing)} FROM every_event) WHERE ${EVENT_CLASS_COLUMN} IN (${classes})`,
    );
    const { rows } = await scratch.engine.run(sql);
    return rows.map((row) => JSON.stringify(row)).sort();
  }

  async function expectSameRows(sql: string) {
    const full = await rowsOn(sql, false);
    expect(full.length, 'the shape finds some event, so a lost row shows').toBeGreaterThan(0);
    expect(await rowsOn(sql, true), sql).toEqual(full);
  }

  it('a LIKE with an ESCAPE character, which the copy’s class test has no room for', async () => {
    await expectSameRows("SELECT eventid FROM cloudtrail_events WHERE useragent LIKE '%!_%' ESCAPE '!'");
  });

  it('a pattern on a map’s value: the subscript is part of the value the pattern tests', async () => {
    await expectSameRows(
      "SELECT eventid FROM cloudtrail_events WHERE useridentity.sessioncontext.webidfederationdata.attributes['aud'] LIKE '%x%'",
    );
  });

  /** Shapes the routing takes, each with the route it must take, so that the rows compared are a route's. */
  it.each<[string, EventRoute | null, string]>([
    [
      'a light name pattern or a user agent pattern',
      'heavy-patterns',
      "SELECT eventid FROM cloudtrail_events WHERE regexp_like(eventname, '^Delete') OR useragent LIKE '%kali%'",
    ],
    [
      'an Identity Center session or an error, as the flag writes the session',
      'flagged',
      "SELECT eventid FROM cloudtrail_events WHERE coalesce(useridentity.sessioncontext.sessionissuer.arn, '') LIKE '%/AWSReservedSSO_%' OR errorcode IS NOT NULL",
    ],
    [
      'a function and a column in capitals, and a case-insensitive regular expression',
      'heavy-patterns',
      "SELECT eventid FROM cloudtrail_events WHERE REGEXP_LIKE(UserAgent, '(?i)KALI')",
    ],
    [
      'a name pattern that matches a heavy event',
      'heavy-patterns',
      "SELECT eventid FROM cloudtrail_events WHERE eventname LIKE 'Assume%'",
    ],
    [
      'a pattern whose `_` matches any one character',
      'heavy-patterns',
      "SELECT eventid FROM cloudtrail_events WHERE useragent LIKE 'tool_x%'",
    ],
    [
      'a baseline from cloudtrail_activity joined back to named evidence: the baseline counts every event',
      'named',
      "WITH seen AS (SELECT actor, count(*) AS n FROM cloudtrail_activity GROUP BY actor) SELECT e.eventid, s.n FROM cloudtrail_events e JOIN seen s ON e.actor = s.actor WHERE e.eventname = 'CreateUser'",
    ],
    [
      'a pattern in a JOIN ON, which limits neither side',
      null,
      "SELECT a.eventid FROM cloudtrail_events a JOIN cloudtrail_events b ON a.actor = b.actor AND b.useragent LIKE '%kali%' WHERE a.eventname = 'CreateUser'",
    ],
    [
      'an UNNEST whose column is named like a stored column',
      null,
      "SELECT e.eventid FROM cloudtrail_events e CROSS JOIN UNNEST(ARRAY['tool_x/1.0']) AS t(useragent) WHERE t.useragent LIKE 'tool%'",
    ],
    [
      'a table qualified by its own name, and a subquery of its own',
      'heavy-patterns',
      "SELECT eventid FROM cloudtrail_events WHERE cloudtrail_events.useragent LIKE '%!%' AND cloudtrail_events.actor IN (SELECT i.actor FROM cloudtrail_events i WHERE i.eventname LIKE 'Create%')",
    ],
  ])('%s', async (_shape, route, sql) => {
    expect(routeOf(routingOf(sql), 'h')).toBe(route);
    await expectSameRows(sql);
  });

  it('a CTE named like the source it reads: its body reads the source, not itself', async () => {
    await expectSameRows(
      "WITH cloudtrail AS (SELECT eventid, eventname FROM cloudtrail WHERE eventname <> 'CreateUser') SELECT c.eventid, e.eventname FROM cloudtrail c JOIN cloudtrail_events e ON c.eventname <> e.eventname WHERE e.eventname = 'CreateUser'",
    );
  });

  it('a CTE named like the source inside a subquery: the outer query still reads the source', async () => {
    await expectSameRows(
      "SELECT o.eventid FROM cloudtrail o WHERE o.sourceipaddress IN (WITH cloudtrail AS (SELECT sourceipaddress FROM cloudtrail_events WHERE eventname = 'CreateUser') SELECT sourceipaddress FROM cloudtrail)",
    );
  });

  it('every hunt of several classed together reads its rows from its route, whichever class another’s names and patterns put a row in', async () => {
    const hunts: [string, EventRoute, string][] = [
      [
        'light-pattern',
        'named',
        "SELECT eventid FROM cloudtrail_events WHERE regexp_like(eventname, '^Delete')",
      ],
      [
        'heavy-name',
        'named-and-heavy',
        "SELECT eventid FROM cloudtrail_events WHERE eventname IN ('AssumeRole', 'GetParameters', 'DeleteUser')",
      ],
      [
        'agent-patterns',
        'heavy-patterns',
        "SELECT eventid FROM cloudtrail_events WHERE useragent LIKE '%!%' OR useragent LIKE 'tool%'",
      ],
      [
        'people-and-errors',
        'flagged',
        "SELECT eventid FROM cloudtrail_events WHERE errorcode IS NOT NULL OR useridentity.type = 'IAMUser' OR coalesce(useridentity.sessioncontext.sessionissuer.arn, '') LIKE '%/AWSReservedSSO_%'",
      ],
      ['light-name', 'named', "SELECT eventid FROM cloudtrail_events WHERE eventname = 'CreateUser'"],
      ['light-miss', 'named', "SELECT eventid FROM cloudtrail_events WHERE eventname LIKE 'GetParameter_'"],
    ];
    const routed = eventClassRouting(
      hunts.map(([huntId, , sql]) => ({ huntId, scans: huntScans({ sql, sources: ['cloudtrail'] }) })),
    );
    // The model may take a pattern that matches a heavy name for light (it reads patterns in JavaScript,
    // not as the engine does): its rows are then in the named class, so the light test must come first.
    const miss = routed.heavyPatterns.filter((p) => p.pattern === 'GetParameter_');
    const together = {
      ...routed,
      patterns: [...routed.patterns, ...miss],
      heavyPatterns: routed.heavyPatterns.filter((p) => !miss.includes(p)),
      hunts: [...routed.hunts, 'light-miss'],
      heavyPatternHunts: routed.heavyPatternHunts.filter((id) => id !== 'light-miss'),
    };
    expect(miss).toHaveLength(1);
    for (const [huntId, route, sql] of hunts) {
      expect(routeOf(together, huntId), huntId).toBe(route);
      const full = await rowsOn(sql, false, together, huntId);
      expect(full.length, huntId).toBeGreaterThan(0);
      expect(await rowsOn(sql, true, together, huntId), huntId).toEqual(full);
    }
  });
});
