import type { DuckDbQueryEngine } from '../../shared/local/duckdb-query-engine.js';
import { ATHENA_STATEMENT_SEPARATOR } from '../../shared/sources/source-sql.js';

/**
 * The columns hunts see in Athena, read from a source module's DDL: the view's select list, one
 * column per line, either `"name"` (typed by the external table above it) or `CAST(... AS type) AS "name"`.
 * Types come back in one canonical spelling, so Hive, Trino and DuckDB types compare as text.
 */
export function athenaViewColumns(ddl: string): { name: string; type: string }[] {
  const statements = ddl.split(ATHENA_STATEMENT_SEPARATOR);
  const table = statements.find((s) => s.startsWith('CREATE EXTERNAL TABLE')) ?? '';
  const tableTypes = new Map(
    [...table.matchAll(/^ {2}`(\w+)` (.+?),?$/gm)].map((m) => [
      m[1] as string,
      canonicalType(m[2] as string),
    ]),
  );
  const view = statements.find((s) => s.startsWith('CREATE OR REPLACE VIEW')) ?? '';
  const selectList = view.slice(view.indexOf('\nSELECT\n') + 8, view.indexOf('\nFROM '));
  return selectList.split(',\n').map((line) => {
    const plain = /^ {2}"(\w+)"$/.exec(line);
    if (plain) {
      const name = plain[1] as string;
      return { name, type: tableTypes.get(name) ?? `unknown column ${name}` };
    }
    const name = /AS "(\w+)"$/.exec(line)?.[1] ?? `unparsed: ${line}`;
    return { name, type: canonicalType(outerCastType(line.trim())) };
  });
}

/** `CAST(<expr> AS <type>) AS "name"`: the type of the outermost cast, found by counting brackets. */
function outerCastType(expression: string): string {
  if (!expression.startsWith('CAST(')) return `not a cast: ${expression}`;
  let depth = 0;
  let lastTopLevelAs = -1;
  for (let i = 4; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'") i = expression.indexOf("'", i + 1);
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return expression.slice(lastTopLevelAs + 4, i);
    else if (depth === 1 && expression.startsWith(' AS ', i)) lastTopLevelAs = i;
  }
  return `unbalanced: ${expression}`;
}

export async function duckdbColumns(
  engine: DuckDbQueryEngine,
  table: string,
): Promise<{ name: string; type: string }[]> {
  const { rows } = await engine.run(`DESCRIBE ${table}`);
  return rows.map((row) => ({ name: row.column_name ?? '', type: canonicalType(row.column_type ?? '') }));
}

/**
 * One spelling for `struct<a:string>` (Hive), `ROW(a varchar)` (Trino) and `STRUCT(a VARCHAR)`
 * (DuckDB): lower case, `struct(a varchar)`, `varchar[]`; JSON is text in Athena, so `varchar`.
 */
export function canonicalType(type: string): string {
  const text = type.trim().replaceAll('"', '');
  const lower = text.toLowerCase();
  if (lower.endsWith('[]')) return `${canonicalType(text.slice(0, -2))}[]`;
  const nested = /^(array|struct|row)\s*[<(](.*)[>)]$/is.exec(text);
  if (nested) {
    const [, kind, body] = nested as unknown as [string, string, string];
    if (kind.toLowerCase() === 'array') return `${canonicalType(body)}[]`;
    const fields = splitTopLevel(body).map((f) => {
      const match = /^\s*(\w+)\s*(?::|\s)\s*(.+)$/s.exec(f);
      return match ? `${(match[1] as string).toLowerCase()} ${canonicalType(match[2] as string)}` : `? ${f}`;
    });
    return `struct(${fields.join(', ')})`;
  }
  const scalars: Record<string, string> = { string: 'varchar', json: 'varchar', int: 'integer' };
  return scalars[lower] ?? lower;
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '(' || c === '<') depth++;
    else if (c === ')' || c === '>') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}
