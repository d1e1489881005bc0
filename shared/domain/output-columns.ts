/**
 * The names of the columns a query returns, read from its text: the select list of the outermost
 * SELECT (after any WITH clause), each item's alias or, for a plain column reference, its last
 * name part. An expression without an alias has no name here (''). Enough to check a hunt's
 * leading columns when the library loads, without a SQL parser in the Lambda bundle.
 */
export function outputColumns(sql: string): string[] {
  const text = blankQuotedText(sql);
  const select = topLevelKeyword(text, 'SELECT', 0);
  if (select < 0) return [];
  const start = select + 'SELECT'.length;
  const from = topLevelKeyword(text, 'FROM', start);
  const list = text.slice(start, from < 0 ? text.length : from).replace(/^\s*DISTINCT\b/i, '');
  return splitTopLevel(list).map(columnName);
}

/** String literals and comments become spaces of the same length, so no keyword hides in them. */
function blankQuotedText(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\//g, (m) => ' '.repeat(m.length));
}

function topLevelKeyword(text: string, keyword: string, from: number): number {
  const pattern = new RegExp(`\\b${keyword}\\b`, 'gi');
  pattern.lastIndex = from;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (depthAt(text, match.index) === 0) return match.index;
  }
  return -1;
}

function depthAt(text: string, index: number): number {
  let depth = 0;
  for (let i = 0; i < index; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
  }
  return depth;
}

function splitTopLevel(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const ch = list[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      items.push(list.slice(start, i));
      start = i + 1;
    }
  }
  items.push(list.slice(start));
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

function columnName(item: string): string {
  const alias = /\bAS\s+"?([A-Za-z_][A-Za-z0-9_]*)"?$/i.exec(item);
  if (alias?.[1]) return alias[1].toLowerCase();
  const reference = /^(?:"?[A-Za-z_][A-Za-z0-9_]*"?\.)*"?([A-Za-z_][A-Za-z0-9_]*)"?$/.exec(item);
  return reference?.[1] ? reference[1].toLowerCase() : '';
}
