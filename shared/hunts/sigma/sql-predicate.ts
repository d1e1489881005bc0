/**
 * A WHERE clause as a tree whose leaves carry their own `?` placeholders and values, so the text
 * and the parameter list are produced by one walk and cannot fall out of order.
 */
export type Predicate =
  | { kind: 'comparison'; sql: string; parameters: string[] }
  | { kind: 'and' | 'or'; items: Predicate[] }
  | { kind: 'not'; item: Predicate };

export function comparison(sql: string, parameters: string[] = []): Predicate {
  return { kind: 'comparison', sql, parameters };
}

export function allOf(items: Predicate[]): Predicate {
  return group('and', items);
}

export function anyOf(items: Predicate[]): Predicate {
  return group('or', items);
}

export function not(item: Predicate): Predicate {
  return { kind: 'not', item };
}

function group(kind: 'and' | 'or', items: Predicate[]): Predicate {
  const flat = items.flatMap((item) => (item.kind === kind ? item.items : [item]));
  if (flat.length === 1 && flat[0]) return flat[0];
  return { kind, items: flat };
}

export interface RenderedPredicate {
  sql: string;
  parameters: string[];
}

/**
 * SQL's NOT over a NULL is NULL, so `NOT (invokedby = ?)` would drop every event without an
 * invokedBy, where Sigma says a missing field simply does not match. AND and OR already treat
 * NULL as false for a WHERE clause; only a negated operand needs `coalesce(..., false)`.
 */
export function renderPredicate(predicate: Predicate, indent = ''): RenderedPredicate {
  const parameters: string[] = [];
  const sql = render(predicate, indent, parameters);
  return { sql, parameters };
}

function render(predicate: Predicate, indent: string, parameters: string[]): string {
  switch (predicate.kind) {
    case 'comparison':
      parameters.push(...predicate.parameters);
      return predicate.sql;
    case 'not':
      return `NOT coalesce(${operand(predicate.item, indent, parameters)}, false)`;
    default: {
      const joiner = `\n${indent}${predicate.kind.toUpperCase()} `;
      return predicate.items.map((item) => operand(item, indent, parameters)).join(joiner);
    }
  }
}

function operand(predicate: Predicate, indent: string, parameters: string[]): string {
  if (predicate.kind !== 'and' && predicate.kind !== 'or') return render(predicate, indent, parameters);
  const inner = `${indent}  `;
  return `(\n${inner}${render(predicate, inner, parameters)}\n${indent})`;
}
