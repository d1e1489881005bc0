/**
 * Where a query's `?` placeholders sit. Athena documents execution parameters only in the WHERE
 * clause ("SELECT ? FROM table is not supported"), so a placeholder is accepted only when the
 * SELECT nearest to it holds it in its WHERE, and every SELECT around that one is reached through a
 * WHERE, a FROM, a WITH or a UNION: never through a select list, a join condition, GROUP BY,
 * HAVING, ORDER BY or LIMIT.
 * https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html
 */
import pkg from 'node-sql-parser';

const { Parser } = pkg;

const THROUGH = new Set(['where', 'from', 'with', '_next']);

/** Each placeholder outside a WHERE clause, named by the clauses that lead to it (`columns`, `where > columns`). */
export function parametersOutsideWhere(sql: string): string[] {
  const ast: unknown = new Parser().astify(sql, { database: 'trino' });
  const misplaced: string[] = [];
  const visit = (node: unknown, clauses: string[]): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, clauses);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (record.type === 'origin' && record.value === '?') {
      const nearest = clauses.at(-1);
      if (nearest !== 'where' || !clauses.every((clause) => THROUGH.has(clause))) {
        misplaced.push(clauses.join(' > ') || 'outside any SELECT');
      }
      return;
    }
    const isSelect = record.type === 'select';
    for (const [key, value] of Object.entries(record)) {
      visit(value, isSelect ? [...clauses, key] : clauses);
    }
  };
  visit(ast, []);
  return misplaced;
}

/** The number of placeholders the parser sees: quoted question marks are text, not parameters. */
export function placeholderCount(sql: string): number {
  let count = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) visit(item);
    else if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      if (record.type === 'origin' && record.value === '?') count++;
      else for (const value of Object.values(record)) visit(value);
    }
  };
  visit(new Parser().astify(sql, { database: 'trino' }));
  return count;
}
