import { describe, expect, it } from 'vitest';
import { orderByKeys, totalOrder } from '../../../shared/domain/row-order.js';

describe("a hunt's rows in a total order", () => {
  const columns = ['event_time', 'actor', 'eventid'];
  const rows = [
    { event_time: '2024-05-01 10:00:01', actor: 'b', eventid: '2' },
    { event_time: '2024-05-01 10:00:00', actor: 'b', eventid: '3' },
    { event_time: '2024-05-01 10:00:01', actor: 'a', eventid: '1' },
    { event_time: null, actor: 'a', eventid: '0' },
  ];

  it('orders ties on the ORDER BY by every column, whatever order the engine returned them in', () => {
    const sql = 'SELECT eventtime AS event_time, actor, eventid FROM t ORDER BY event_time';
    const ids = (r: typeof rows) => totalOrder(sql, columns, r).map((row) => row.eventid);
    expect(ids(rows)).toEqual(['3', '1', '2', '0']);
    expect(ids([...rows].reverse())).toEqual(['3', '1', '2', '0']);
  });

  it("keeps the hunt's own order first: a descending count, compared as numbers", () => {
    const sql = 'SELECT actor, count(*) AS calls FROM t GROUP BY actor ORDER BY calls DESC, actor';
    const counted = [
      { actor: 'a', calls: '9' },
      { actor: 'b', calls: '10' },
      { actor: 'c', calls: null },
    ];
    expect(totalOrder(sql, ['actor', 'calls'], counted).map((r) => r.actor)).toEqual(['b', 'a', 'c']);
  });

  it('reads only the last top-level ORDER BY, not those in subqueries, strings or comments', () => {
    const sql = `SELECT x.actor, x.n FROM (SELECT actor, n FROM t ORDER BY n) x
      WHERE note <> 'ORDER BY n' -- ORDER BY n
      ORDER BY x.actor DESC, "n" LIMIT 10`;
    expect(orderByKeys(sql, ['actor', 'n'])).toEqual([
      { column: 'actor', descending: true },
      { column: 'n', descending: false },
    ]);
  });

  it('stops at a key that is an expression, since the keys after it order only within it', () => {
    const sql = 'SELECT actor, n FROM t ORDER BY CASE WHEN n > 1 THEN 0 ELSE 1 END, actor';
    expect(orderByKeys(sql, ['actor', 'n'])).toEqual([]);
  });
});
