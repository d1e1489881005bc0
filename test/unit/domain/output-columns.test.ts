import { describe, expect, it } from 'vitest';
import { outputColumns } from '../../../shared/domain/output-columns.js';

describe('outputColumns: the names a query returns, read from its text', () => {
  it('reads aliases and plain column references of the outermost select', () => {
    expect(
      outputColumns(`WITH t AS (SELECT a AS hidden, b FROM x)
        SELECT t.eventtime AS event_time, actor, "quoted" AS q, coalesce(a, b) AS c, count(*)
        FROM t`),
    ).toEqual(['event_time', 'actor', 'q', 'c', '']);
  });

  it('ignores commas and keywords inside functions, strings and comments', () => {
    expect(
      outputColumns(`SELECT DISTINCT json_extract_scalar(p, '$.a, FROM x') AS a, -- FROM y, z
        concat('(', b, ')') AS b FROM cloudtrail_events`),
    ).toEqual(['a', 'b']);
  });

  it('ends the list at the FROM of the query, not one inside a function or a cast', () => {
    expect(
      outputColumns(`SELECT extract(hour FROM ts) AS hour, CAST(NULL AS varchar) as region, e.actor FROM e`),
    ).toEqual(['hour', 'region', 'actor']);
  });

  it('returns nothing for text with no select', () => {
    expect(outputColumns('DROP TABLE x')).toEqual([]);
  });
});
