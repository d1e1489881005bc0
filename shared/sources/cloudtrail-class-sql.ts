import {
  EVENT_CLASS_COLUMN,
  type EventClassRouting,
  FLAGGED_CONDITION,
  FLAGGED_EVENTS,
  HEAVY_NAMED_EVENTS,
  NAMED_EVENTS,
  NAMED_FLAGGED_EVENTS,
  OTHER_EVENTS,
  rowPatternSql,
} from '../domain/event-classes.js';
import { InvalidRequestError } from '../errors.js';
import { sqlString } from './source-sql.js';

/** The column whose values the named classes list: the API call's name. */
export const CLASSED_NAME_COLUMN = 'eventname';

/** What the named classes hold: rows of these names, or matching these patterns (RowPattern). */
export type NamedClasses = Pick<EventClassRouting, 'names' | 'heavyNames'> &
  Partial<Pick<EventClassRouting, 'patterns' | 'heavyPatterns'>>;

/**
 * The class of each row: a row of a light listed name or matching a light pattern goes to `named`,
 * else one of a heavy name or pattern to `named_heavy`, or to `named_flagged` when it is flagged; any
 * other flagged row (the condition reads the source view's columns, selected or not) to `flagged`; the
 * rest (a null name too) to `other`. The light test comes first: a hunt reading only `named` finds
 * every row of its names and patterns there, whatever heavy pattern the row also matches. A heavy
 * pattern's flagged rows go to `flagged`, not `named_flagged`, which every named route reads: the
 * `heavy-patterns` route reads both (ROUTE_CLASSES). Each list is
 * written once: the statement has a size limit. The benchmark lays its model of the copy out with
 * this same expression (bench/athena-copy-profile.ts), and the embedded engine writes its own copy
 * with it (shared/local/adapters/duckdb-table-builder.ts).
 */
export function eventClassExpression(
  column: string,
  named: NamedClasses,
  names: 'literals' | 'list-subquery' = 'literals',
): string {
  const flagged = `(${FLAGGED_CONDITION})`;
  const list = (values: string[]) => [...new Set(values)].map(sqlString).join(', ');
  // DuckDB tests an IN list of literals one by one (77 ms per 112,000 rows against 400 names), and a
  // subquery's values through a hash table (8 ms): the embedded engine's copy asks for the subquery.
  const nameTest = (values: string[]) =>
    values.length === 0
      ? []
      : names === 'literals'
        ? [`"${checkColumn(column)}" IN (${list(values)})`]
        : [`"${checkColumn(column)}" IN (SELECT unnest([${list(values)}]))`];
  const branches = [
    [
      [...nameTest(named.names), ...(named.patterns ?? []).map(rowPatternSql)],
      NAMED_FLAGGED_EVENTS,
      NAMED_EVENTS,
    ],
    [nameTest(named.heavyNames), NAMED_FLAGGED_EVENTS, HEAVY_NAMED_EVENTS],
    [(named.heavyPatterns ?? []).map(rowPatternSql), FLAGGED_EVENTS, HEAVY_NAMED_EVENTS],
  ] as const;
  const when = [
    ...branches
      .filter(([tests]) => tests.length > 0)
      .map(
        ([tests, whenFlagged, eventClass]) =>
          `WHEN ${tests.join(' OR ')} THEN CASE WHEN ${flagged} THEN ${sqlString(whenFlagged)} ELSE ${sqlString(eventClass)} END`,
      ),
    `WHEN ${flagged} THEN ${sqlString(FLAGGED_EVENTS)}`,
  ];
  return `CAST(CASE ${when.join(' ')} ELSE ${sqlString(OTHER_EVENTS)} END AS varchar) AS "${EVENT_CLASS_COLUMN}"`;
}

const COLUMN_NAME = /^[a-z][a-z0-9_]{0,127}$/;

function checkColumn(name: string): string {
  if (!COLUMN_NAME.test(name)) throw new InvalidRequestError(`'${name}' is not a valid column name.`);
  return name;
}
