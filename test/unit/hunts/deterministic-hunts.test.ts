import { describe, expect, it } from 'vitest';
import { loadHuntLibrary } from '../../../shared/hunts/hunt-library.js';

/**
 * The same logs give byte-identical CSVs: RunHunt orders the rows, and a hunt keeps the values
 * inside a cell in a fixed order too. Both engines aggregate in parallel, so an aggregate without
 * an order returns its values in any order, and `arbitrary` any one of them.
 */
describe('every library hunt aggregates in a fixed order', () => {
  it('sorts DISTINCT lists, orders the others, and never picks an arbitrary value', async () => {
    const problems: string[] = [];
    for (const hunt of await loadHuntLibrary()) {
      if (/\barbitrary\(/i.test(hunt.sql)) problems.push(`${hunt.id}: arbitrary(...) (use min)`);
      for (const match of hunt.sql.matchAll(/array_agg\((DISTINCT\b)?/gi)) {
        const before = hunt.sql.slice(0, match.index);
        const call = hunt.sql.slice(match.index, match.index + 300);
        if (match[1] && !/array_sort\($/i.test(before))
          problems.push(`${hunt.id}: unsorted array_agg(DISTINCT ...)`);
        if (!match[1] && !/^array_agg\([^;]*?\bORDER BY\b/i.test(call))
          problems.push(`${hunt.id}: array_agg without ORDER BY`);
      }
    }
    expect(problems).toEqual([]);
  });
});
