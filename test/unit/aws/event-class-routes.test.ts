import { beforeAll, describe, expect, it } from 'vitest';
import {
  EVENT_CLASS_COLUMN,
  FLAGGED_CONDITION,
  ROUTE_CLASSES,
  type RowPattern,
  rowPatternSql,
  SSO_SESSION_PATTERN,
} from '../../../shared/domain/event-classes.js';
import { loadTestRecords } from '../../../shared/local/app/hunt-test-runner.js';
import { eventClassExpression, type NamedClasses } from '../../../shared/sources/cloudtrail-class-sql.js';
import { sqlString } from '../../../shared/sources/source-sql.js';
import { useHuntTestEngine } from '../../support/hunt-test-engine.js';

/**
 * The copy's class expression against the routes, for any split of names and patterns into light and
 * heavy (the model deciding the split may be wrong about a pattern: the split decides cost, never rows).
 * Every row a route's hunts can ask for must be in that route's classes: a row of a light name or
 * pattern in the `named` route's, of a heavy name in `named-and-heavy`'s, of a heavy pattern in
 * `heavy-patterns`', and every flagged row in the `flagged` route's.
 */
const NAMES = ['DeleteUser', 'CreateUser', 'ListUsers', 'AssumeRole', 'GetParameters'];
const PATTERNS: RowPattern[] = [
  { column: 'eventname', operator: 'regexp_like', pattern: '^Delete' },
  { column: 'eventname', operator: 'LIKE', pattern: 'Get%' },
  { column: 'useragent', operator: 'LIKE', pattern: 'tool%' },
  { column: 'useragent', operator: 'regexp_like', pattern: 'kali' },
  SSO_SESSION_PATTERN,
];
const ISSUERS = [
  'arn:aws:iam::111122223333:role/app',
  'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123',
];
const ROUTINGS = 200;

function random(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state % n;
  };
}

describe('the copy’s event classes hold, for any routing, every row each route’s hunts can ask for', () => {
  const scratch = useHuntTestEngine('casefile-class-routes-');
  beforeAll(async () => {
    let id = 0;
    const records = NAMES.flatMap((eventName) =>
      [null, 'tool_x/1', 'aws-cli/2 kali'].flatMap((userAgent) =>
        [null, 'AccessDenied'].flatMap((errorCode) =>
          ['AssumedRole', 'IAMUser'].flatMap((type) =>
            ISSUERS.map((issuer) => ({
              eventVersion: '1.08',
              userIdentity: {
                type,
                arn: 'arn:aws:sts::111122223333:assumed-role/x/y',
                accountId: '111122223333',
                sessionContext: { sessionIssuer: { type: 'Role', arn: issuer } },
              },
              eventTime: '2024-05-04T02:10:00Z',
              eventSource: 'iam.amazonaws.com',
              eventName,
              awsRegion: 'us-east-1',
              sourceIPAddress: '192.0.2.15',
              ...(userAgent ? { userAgent } : {}),
              ...(errorCode ? { errorCode } : {}),
              eventID: `00000000-0000-4000-8000-${String(id++).padStart(12, '0')}`,
              eventType: 'AwsApiCall',
              recipientAccountId: '111122223333',
            })),
          ),
        ),
      ),
    );
    await loadTestRecords(scratch.engine, scratch.dir, records, 'cloudtrail');
  });

  /** The rows matching `test` outside `classes`, with the copy classed by `named`. */
  async function strays(named: NamedClasses, test: string, classes: string[]): Promise<number> {
    const { rows } = await scratch.engine.run(
      `SELECT count(*) AS n FROM (SELECT *, ${eventClassExpression('eventname', named)} FROM "cloudtrail") WHERE (${test}) AND ${EVENT_CLASS_COLUMN} NOT IN (${classes.map(sqlString).join(', ')})`,
    );
    return Number(rows[0]?.n);
  }

  it(`${ROUTINGS} random splits of names and patterns into light and heavy leave no row outside its route`, async () => {
    const pick = random(20261205);
    const some = <T>(list: T[]) => list.filter(() => pick(3) === 0);
    const any = (names: string[], patterns: RowPattern[]) =>
      [
        ...(names.length > 0 ? [`eventname IN (${names.map(sqlString).join(', ')})`] : []),
        ...patterns.map(rowPatternSql),
      ].join(' OR ') || 'false';
    for (let i = 0; i < ROUTINGS; i++) {
      const named = {
        names: some(NAMES),
        heavyNames: some(NAMES),
        patterns: some(PATTERNS),
        heavyPatterns: some(PATTERNS),
      };
      const routing = JSON.stringify(named);
      const light = any(named.names, named.patterns);
      expect(await strays(named, light, ROUTE_CLASSES.named), `light rows, ${routing}`).toBe(0);
      const heavy = any([...named.names, ...named.heavyNames], named.patterns);
      expect(await strays(named, heavy, ROUTE_CLASSES['named-and-heavy']), `named rows, ${routing}`).toBe(0);
      const everyPattern = any(
        [...named.names, ...named.heavyNames],
        [...named.patterns, ...named.heavyPatterns],
      );
      expect(
        await strays(named, everyPattern, ROUTE_CLASSES['heavy-patterns']),
        `pattern rows, ${routing}`,
      ).toBe(0);
      expect(await strays(named, FLAGGED_CONDITION, ROUTE_CLASSES.flagged), `flagged rows, ${routing}`).toBe(
        0,
      );
    }
  });
});
