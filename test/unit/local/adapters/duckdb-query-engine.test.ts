import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbQueryEngine } from '../../../../shared/local/adapters/duckdb-query-engine.js';

describe('a DuckDB query whose rows pass the cap', () => {
  let engine: DuckDbQueryEngine;
  beforeAll(async () => {
    engine = await DuckDbQueryEngine.open({ threads: 1, memoryLimit: '1GB' });
  });
  afterAll(() => engine.close());

  it('keeps the first maxRows rows in order and counts every row, past several chunks', async () => {
    const result = await engine.run('SELECT n FROM range(10000) AS t(n) WHERE n >= ? ORDER BY n', {
      parameters: ['10'],
      maxRows: 3,
    });
    expect(result.rows).toEqual([{ n: '10' }, { n: '11' }, { n: '12' }]);
    expect(result.rowCount).toBe(9990);
    expect(result.truncated).toBe(true);
  });

  it('counts a query that ends in a line comment or a semicolon', async () => {
    const commented = await engine.run('SELECT n FROM range(5000) AS t(n) -- every n', { maxRows: 2048 });
    expect([commented.rows.length, commented.rowCount]).toEqual([2048, 5000]);
    const terminated = await engine.run('SELECT n FROM range(4096) AS t(n);', { maxRows: 2048 });
    expect([terminated.rows.length, terminated.rowCount, terminated.truncated]).toEqual([2048, 4096, true]);
  });

  it('is not truncated when the rows fill the cap exactly', async () => {
    const result = await engine.run('SELECT n FROM range(2048) AS t(n)', { maxRows: 2048 });
    expect([result.rows.length, result.rowCount, result.truncated]).toEqual([2048, 2048, false]);
  });
});
