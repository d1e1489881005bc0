import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pkg from 'node-sql-parser';
import { parse } from 'yaml';
import type { HuntDefinition } from '../domain/hunt-definition.js';

const { Parser } = pkg;

/** One CloudTrail API from the attack catalogue (TrailDiscover, CC BY 4.0), with its ATT&CK mapping. */
export interface CatalogueApi {
  eventSource: string;
  eventName: string;
  usedInWild: boolean;
  tactics: string[];
  techniques: string[];
}

/** How a hunt's WHERE clause names event names: `=`/`IN` (exact), `LIKE`, or `regexp_like`. */
export interface EventNameMatcher {
  kind: 'exact' | 'like' | 'regexp';
  pattern: string;
}

/** The event names a hunt selects and the event sources it limits them to (none: any source). */
export interface HuntEventSelection {
  huntId: string;
  kind: HuntDefinition['kind'];
  eventSources: string[];
  matchers: EventNameMatcher[];
  /**
   * The hunt keeps only failed calls (a WHERE that requires an error code, or `outcome = 'failure'`):
   * it sees attempts that were refused, not the API being used, so it covers no API.
   */
  failuresOnly: boolean;
}

export interface ApiCoverage {
  api: string;
  eventSource: string;
  eventName: string;
  usedInWild: boolean;
  /** Read-only calls (List, Describe, Get...) gather information; every other call changes something. */
  reconnaissance: boolean;
  tactics: string[];
  techniques: string[];
  huntIds: string[];
  /** Why no hunt covers it, from the explanations file. */
  explanation: string | null;
}

export interface TechniqueCoverage {
  technique: string;
  huntIds: string[];
  apisUsedInWild: string[];
}

export interface CoverageReport {
  apis: ApiCoverage[];
  techniques: TechniqueCoverage[];
  /** Used in the wild, changes posture, and neither covered nor explained: what the library owes. */
  gaps: ApiCoverage[];
  /** Explanations for APIs that a hunt now covers, or that the catalogue does not hold. */
  staleExplanations: string[];
}

const READ_VERBS = /^(Get|List|Describe|Head|Lookup|Search|BatchGet|Simulate|Check|Preview|View|Validate)/;

/** `service:EventName`, the way IAM names actions: how the explanations file refers to an API. */
export function apiKey(eventSource: string, eventName: string): string {
  return `${eventSource.replace(/\.amazonaws\.com$/, '')}:${eventName}`;
}

export function isReconnaissance(eventName: string): boolean {
  return READ_VERBS.test(eventName);
}

/**
 * Reads the event names and event sources that a hunt's WHERE clauses (in every CTE and subquery)
 * compare `eventname` and `eventsource` with. Negated tests (`<>`, `NOT IN`, `NOT LIKE`,
 * `NOT regexp_like`) select nothing, and names in SELECT lists (CASE labels) are not selections.
 */
export function eventSelectionOfHunt(hunt: HuntDefinition): HuntEventSelection {
  const ast = new Parser().astify(hunt.sql, { database: 'trino' });
  const matchers: EventNameMatcher[] = [];
  const sources = new Set<string>();
  const collect = (column: string, matcher: EventNameMatcher) => {
    if (column === 'eventname') matchers.push(matcher);
    else if (column === 'eventsource' && matcher.kind === 'exact') sources.add(matcher.pattern);
  };
  let failuresOnly = false;
  forEachWhereClause(ast, (where) => {
    walkCondition(where, collect);
    if (conjuncts(where).some(requiresFailure)) failuresOnly = true;
  });
  return {
    huntId: hunt.id,
    kind: hunt.kind,
    eventSources: [...sources].sort(),
    matchers: dedupe(matchers),
    failuresOnly,
  };
}

function conjuncts(node: Node): Node[] {
  if (node.type === 'binary_expr' && String(node.operator).toUpperCase() === 'AND')
    return [...conjuncts(node.left as Node), ...conjuncts(node.right as Node)];
  return [node];
}

/**
 * A test that only a failed call passes: `outcome = 'failure'`, or `errorcode` tested positively
 * (`IS NOT NULL`, `=`, `IN`, `LIKE`, `regexp_like`, also through `coalesce(errorcode, '')`).
 */
function requiresFailure(node: Node): boolean {
  if (node.type === 'binary_expr') {
    const operator = String(node.operator).toUpperCase();
    const column = errorColumn(node.left as Node);
    if (column === 'outcome') return operator === '=' && strings(node.right as Node).includes('failure');
    if (column !== 'errorcode') return false;
    if (operator === 'IS NOT') return (node.right as Node)?.type === 'null';
    return operator === '=' || operator === 'IN' || operator === 'LIKE';
  }
  if (node.type === 'function' && functionName(node) === 'regexp_like') {
    const first = (((node.args as Node | undefined)?.value ?? []) as Node[])[0];
    return first !== undefined && errorColumn(first) === 'errorcode';
  }
  return false;
}

/** The column a test reads, seeing through `coalesce(column, ...)`. */
function errorColumn(node: Node | undefined): string | null {
  if (node?.type === 'function' && functionName(node) === 'coalesce') {
    const first = (((node.args as Node | undefined)?.value ?? []) as Node[])[0];
    return columnName(first);
  }
  return columnName(node);
}

type Node = Record<string, unknown>;

function forEachWhereClause(node: unknown, visit: (where: Node) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) forEachWhereClause(item, visit);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Node;
  if (record.type === 'select' && typeof record.where === 'object' && record.where !== null) {
    visit(record.where as Node);
  }
  for (const value of Object.values(record)) forEachWhereClause(value, visit);
}

function walkCondition(node: Node, collect: (column: string, matcher: EventNameMatcher) => void): void {
  if (node.type === 'unary_expr' && String(node.operator).toUpperCase() === 'NOT') return;
  if (node.type === 'binary_expr') {
    const operator = String(node.operator).toUpperCase();
    if (operator === 'AND' || operator === 'OR') {
      walkCondition(node.left as Node, collect);
      walkCondition(node.right as Node, collect);
      return;
    }
    const column = columnName(node.left as Node);
    if (!column) return;
    const right = node.right as Node;
    if (operator === '=')
      for (const value of strings(right)) collect(column, { kind: 'exact', pattern: value });
    if (operator === 'IN')
      for (const value of strings(right)) collect(column, { kind: 'exact', pattern: value });
    if (operator === 'LIKE')
      for (const value of strings(right)) collect(column, { kind: 'like', pattern: value });
    return;
  }
  if (node.type === 'function' && functionName(node) === 'regexp_like') {
    const args = ((node.args as Node | undefined)?.value ?? []) as Node[];
    const column = args[0] ? columnName(args[0]) : null;
    const pattern = args[1] ? strings(args[1])[0] : undefined;
    if (column && pattern !== undefined) collect(column, { kind: 'regexp', pattern });
  }
}

function columnName(node: Node | undefined): string | null {
  if (node?.type !== 'column_ref') return null;
  const column = node.column as { expr?: { value?: unknown } } | string;
  const name = typeof column === 'string' ? column : column?.expr?.value;
  return typeof name === 'string' ? name.toLowerCase() : null;
}

function functionName(node: Node): string {
  const name = (node.name as { name?: { value?: string }[] } | undefined)?.name ?? [];
  return name
    .map((part) => part.value ?? '')
    .join('.')
    .toLowerCase();
}

function strings(node: Node | undefined): string[] {
  if (!node) return [];
  if (node.type === 'single_quote_string' || node.type === 'string') return [String(node.value)];
  if (node.type === 'expr_list' && Array.isArray(node.value)) return (node.value as Node[]).flatMap(strings);
  return [];
}

function dedupe(matchers: EventNameMatcher[]): EventNameMatcher[] {
  const seen = new Set<string>();
  return matchers.filter((m) => {
    const key = `${m.kind}:${m.pattern}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Trino's LIKE and Java regular expressions, as far as hunts use them, checked in JavaScript. */
export function matchesEventName(matcher: EventNameMatcher, eventName: string): boolean {
  if (matcher.kind === 'exact') return matcher.pattern === eventName;
  if (matcher.kind === 'like') {
    const body = matcher.pattern
      .split('')
      .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return new RegExp(`^${body}$`).test(eventName);
  }
  const caseInsensitive = matcher.pattern.startsWith('(?i)');
  const source = caseInsensitive ? matcher.pattern.slice(4) : matcher.pattern;
  return new RegExp(source, caseInsensitive ? 'i' : '').test(eventName);
}

export function selectionCovers(selection: HuntEventSelection, api: CatalogueApi): boolean {
  if (selection.failuresOnly) return false;
  const sourceFits = selection.eventSources.length === 0 || selection.eventSources.includes(api.eventSource);
  return sourceFits && selection.matchers.some((m) => matchesEventName(m, api.eventName));
}

/** Matches the catalogue against the hunts' own SQL, and the explanations against what remains. */
export function assessHuntCoverage(
  hunts: HuntDefinition[],
  catalogue: CatalogueApi[],
  explanations: Record<string, string>,
): CoverageReport {
  const selections = hunts.filter((h) => h.sources.includes('cloudtrail')).map(eventSelectionOfHunt);
  const apis = catalogue.map((api): ApiCoverage => {
    const key = apiKey(api.eventSource, api.eventName);
    const huntIds = selections.filter((s) => selectionCovers(s, api)).map((s) => s.huntId);
    return {
      api: key,
      eventSource: api.eventSource,
      eventName: api.eventName,
      usedInWild: api.usedInWild,
      reconnaissance: isReconnaissance(api.eventName),
      tactics: api.tactics,
      techniques: api.techniques,
      huntIds,
      explanation: explanations[key] ?? null,
    };
  });
  const byKey = new Map(apis.map((a) => [a.api, a]));
  const staleExplanations = Object.keys(explanations).filter((key) => {
    const api = byKey.get(key);
    return !api || api.huntIds.length > 0;
  });
  const gaps = apis.filter(
    (a) => a.usedInWild && !a.reconnaissance && a.huntIds.length === 0 && a.explanation === null,
  );
  return { apis, techniques: techniqueCoverage(hunts, apis), gaps, staleExplanations };
}

function techniqueCoverage(hunts: HuntDefinition[], apis: ApiCoverage[]): TechniqueCoverage[] {
  const techniques = new Set<string>();
  for (const hunt of hunts) for (const t of hunt.mitre) techniques.add(t);
  for (const api of apis) if (api.usedInWild) for (const t of api.techniques) techniques.add(t);
  // A hunt for a sub-technique covers its parent; a hunt for the parent is not assumed to cover each child.
  const covers = (huntTechnique: string, technique: string) =>
    huntTechnique === technique || huntTechnique.startsWith(`${technique}.`);
  return [...techniques].sort().map((technique) => ({
    technique,
    huntIds: hunts.filter((h) => h.mitre.some((t) => covers(t, technique))).map((h) => h.id),
    apisUsedInWild: apis.filter((a) => a.usedInWild && a.techniques.includes(technique)).map((a) => a.api),
  }));
}

export function renderCoverageMarkdown(report: CoverageReport): string {
  const wild = report.apis.filter((a) => a.usedInWild);
  const posture = wild.filter((a) => !a.reconnaissance);
  const recon = wild.filter((a) => a.reconnaissance);
  const covered = (list: ApiCoverage[]) => list.filter((a) => a.huntIds.length > 0).length;
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const apiRow = (a: ApiCoverage) =>
    `| \`${a.api}\` | ${a.tactics.join(', ')} | ${a.huntIds.join(', ') || '—'} | ${cell(a.explanation ?? (a.huntIds.length > 0 ? '' : 'NOT COVERED'))} |`;
  return [
    '# Hunt coverage',
    '',
    'CloudTrail APIs that attackers have used in real incidents (TrailDiscover, by Adan Alvarez, CC BY 4.0) ' +
      "against the hunts whose WHERE clauses select them, and ATT&CK techniques against the hunts' mappings.",
    '',
    `- APIs that change something, used in the wild: ${covered(posture)}/${posture.length} covered, ` +
      `${posture.filter((a) => a.huntIds.length === 0 && a.explanation).length} explained, ${report.gaps.length} gaps`,
    `- Reconnaissance APIs used in the wild: ${covered(recon)}/${recon.length} reported by a hunt`,
    '',
    '## APIs that change something',
    '',
    '| API | tactics | hunts | why not covered |',
    '| --- | --- | --- | --- |',
    ...posture.map(apiRow),
    '',
    '## Reconnaissance APIs',
    '',
    '| API | tactics | hunts | why not covered |',
    '| --- | --- | --- | --- |',
    ...recon.map(apiRow),
    '',
    '## ATT&CK techniques',
    '',
    '| technique | hunts | APIs used in the wild |',
    '| --- | --- | --- |',
    ...report.techniques.map(
      (t) =>
        `| ${t.technique} | ${t.huntIds.join(', ') || '—'} | ${t.apisUsedInWild.map((a) => `\`${a}\``).join(', ')} |`,
    ),
    '',
  ].join('\n');
}

const coverageDataDir = () => fileURLToPath(new URL('./attack-apis/', import.meta.url));

/** The API catalogue and the explanations for what no hunt covers, both kept in the repository. */
export async function loadCoverageInputs(dir = coverageDataDir()): Promise<{
  catalogue: CatalogueApi[];
  explanations: Record<string, string>;
}> {
  const catalogue = JSON.parse(await readFile(`${dir}/traildiscover-apis.json`, 'utf8')) as CatalogueApi[];
  const explanations = (parse(await readFile(`${dir}/uncovered-apis.yaml`, 'utf8')) ?? {}) as Record<
    string,
    string
  >;
  return { catalogue, explanations };
}
