import { parseAllDocuments, visit } from 'yaml';
import type { HuntDefinition, Severity } from '../../domain/hunt-definition.js';
import {
  fitsExecutionParameter,
  MAX_EXECUTION_PARAMETER_LENGTH,
  quotedParameter,
} from '../../domain/query-parameters.js';
import { InvalidHuntError } from '../../errors.js';
import { compileDetection } from './sigma-detection.js';
import { renderPredicate } from './sql-predicate.js';

/**
 * Sigma (https://sigmahq.io) rules for `logsource: {product: aws, service: cloudtrail}` compiled
 * into event hunts. Supported: field maps (AND), lists of maps and lists of values (OR), null,
 * numbers and booleans (compared as the text CloudTrail holds), the wildcards `*` and `?` with
 * Sigma's backslash escapes, the modifiers contains, startswith, endswith, all, cased, exists and
 * re (with i, m, s), and conditions with and, or, not, parentheses, `1 of` and `all of`. Matching
 * ignores case unless `|cased`; `|re` is case-sensitive unless `|re|i`, as Sigma specifies.
 * Refused with an error naming the rule: aggregations (`| count()`), near, timeframe, correlation
 * rules, keyword searches, the encoding and comparison modifiers, and fields outside the map in
 * sigma-fields.ts.
 */

/**
 * A Sigma rule for AWS CloudTrail as a casefile event hunt. The rule's values never enter the SQL
 * text: `hunt.sql` holds `?` placeholders and `parameters` their values, in order, for
 * `QueryEngine.run(sql, { parameters })`. Sigma rules carry no test records, so `hunt.tests` is
 * empty and the hunt is not (and cannot be) passed through `validateHunt`.
 */
export interface CompiledSigmaHunt {
  hunt: HuntDefinition;
  parameters: string[];
  sigma: {
    /** The rule's own `id` (a UUID in SigmaHQ rules), if it has one. */
    ruleId: string | null;
    /** experimental, test, stable, deprecated, unsupported: the caller decides what to run. */
    status: string | null;
    origin: string;
  };
}

const severityOfLevel = new Map<string, Severity>([
  ['informational', 'info'],
  ['low', 'low'],
  ['medium', 'medium'],
  ['high', 'high'],
  ['critical', 'critical'],
]);
/** Sigma makes `level` optional; a rule without one is treated as the middle of the scale. */
const DEFAULT_SEVERITY: Severity = 'medium';

const attackTactics = new Set([
  'reconnaissance',
  'resource-development',
  'initial-access',
  'execution',
  'persistence',
  'privilege-escalation',
  'defense-evasion',
  'credential-access',
  'discovery',
  'lateral-movement',
  'collection',
  'command-and-control',
  'exfiltration',
  'impact',
]);
const TECHNIQUE_TAG = /^attack\.(t\d{4}(?:\.\d{3})?)$/i;

const HUNT_ID_LENGTH = 80;
/** Every Sigma hunt's id starts with it; no library hunt's does. */
export const SIGMA_HUNT_PREFIX = 'sigma-';

const leadingColumns = [
  'eventtime AS event_time',
  'eventname AS event_name',
  'actor',
  'sourceipaddress AS source_ip',
  'recipientaccountid AS account_id',
  'awsregion AS region',
  'eventid',
  'outcome',
  'errorcode AS error_code',
];

/** Compiles one rule; every problem is an InvalidHuntError naming the origin and the rule. */
export function compileSigmaRule(yamlText: string, origin: string): CompiledSigmaHunt {
  const rule = readRule(yamlText, origin);
  const title = typeof rule.title === 'string' ? rule.title.trim() : '';
  const name = title ? `Sigma rule '${title}'` : 'Sigma rule';
  try {
    return compileRule(rule, title, origin);
  } catch (error) {
    if (!(error instanceof InvalidHuntError)) throw error;
    throw new InvalidHuntError(`${origin}: ${name}: ${error.message}`, { cause: error });
  }
}

/**
 * The log source a rule is for, when that is not CloudTrail ("product windows, category
 * process_creation"), so a folder of mixed rules can pass over them; null for a CloudTrail rule or
 * one too broken to tell (compiling it then reports why).
 */
export function otherLogSource(yamlText: string): string | null {
  // A rule that never says "cloudtrail" cannot be one: named from its logsource lines, unparsed,
  // so a SigmaHQ checkout of thousands of Windows rules costs a text scan each.
  if (!/cloudtrail/i.test(yamlText)) {
    const quick = quickLogSource(yamlText);
    if (quick) return quick;
  }
  let rule: Record<string, unknown>;
  try {
    rule = readRule(yamlText, '');
  } catch {
    return null;
  }
  const logsource = rule.logsource;
  if (!isMap(logsource) || isCloudTrail(logsource)) return null;
  const parts = ['product', 'service', 'category']
    .filter((key) => typeof logsource[key] === 'string')
    .map((key) => `${key} ${logsource[key]}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** `product windows, category process_creation` from an indented `logsource:` block, or null. */
function quickLogSource(yamlText: string): string | null {
  const block = /^logsource:[ \t]*\r?\n((?:[ \t]+.*\r?\n?)+)/m.exec(yamlText)?.[1];
  if (!block) return null;
  const parts = ['product', 'service', 'category'].flatMap((key) => {
    const value = new RegExp(`^[ \\t]+${key}:[ \\t]*['"]?([A-Za-z0-9_.-]+)['"]?[ \\t]*$`, 'm').exec(
      block,
    )?.[1];
    return value ? [`${key} ${value}`] : [];
  });
  return parts.length > 0 ? parts.join(', ') : null;
}

function compileRule(rule: Record<string, unknown>, title: string, origin: string): CompiledSigmaHunt {
  if (!title) throw new InvalidHuntError("'title' must be text");
  if ('correlation' in rule) throw new InvalidHuntError('is a correlation rule: not supported');
  const logsource = rule.logsource;
  if (!isMap(logsource) || !isCloudTrail(logsource)) {
    throw new InvalidHuntError("'logsource' must be product 'aws', service 'cloudtrail'");
  }
  const where = renderPredicate(compileDetection(rule.detection), '  ');
  const sql = [
    'SELECT',
    leadingColumns.map((column) => `  ${column}`).join(',\n'),
    'FROM cloudtrail_events',
    `WHERE ${where.sql}`,
    'ORDER BY eventtime',
  ].join('\n');
  const placeholders = sql.split('?').length - 1;
  if (placeholders !== where.parameters.length) {
    throw new Error(`compiled SQL has ${placeholders} placeholders for ${where.parameters.length} values`);
  }
  const tooLong = where.parameters.find((value) => !fitsExecutionParameter(value));
  if (tooLong !== undefined) {
    throw new InvalidHuntError(
      `a value ('${tooLong.slice(0, 40)}...', ${quotedParameter(tooLong).length} characters as sent) is longer ` +
        `than an Athena query parameter may be (${MAX_EXECUTION_PARAMETER_LENGTH})`,
    );
  }
  const ruleId = optionalText(rule.id);
  const tags = textList(rule.tags);
  const hunt: HuntDefinition = {
    id: huntId(title, ruleId),
    title,
    description: optionalText(rule.description) ?? title,
    severity: severity(rule.level),
    kind: 'event',
    sources: ['cloudtrail'],
    mitre: unique(tags.flatMap((tag) => TECHNIQUE_TAG.exec(tag)?.[1]?.toUpperCase() ?? [])),
    tactics: unique(tags.flatMap(tactic)),
    triage: triage(textList(rule.falsepositives)),
    references: textList(rule.references).filter((reference) => /^https?:\/\//.test(reference)),
    sql,
    tests: [],
  };
  return { hunt, parameters: where.parameters, sigma: { ruleId, status: optionalText(rule.status), origin } };
}

/**
 * Parses one YAML document. Plain numbers keep the text they were written as, because every
 * CloudTrail column is text: account id 012345678901 must not become 12345678901.
 */
function readRule(yamlText: string, origin: string): Record<string, unknown> {
  const documents = parseAllDocuments(yamlText);
  if (documents.length === 0) throw new InvalidHuntError(`${origin}: holds no YAML document`);
  if (documents.length > 1) {
    throw new InvalidHuntError(
      `${origin}: holds ${documents.length} YAML documents (a Sigma rule collection): one rule per file is supported`,
    );
  }
  const [document] = documents;
  const problem = document?.errors[0];
  if (!document || problem) {
    throw new InvalidHuntError(`${origin}: not valid YAML: ${problem?.message ?? 'empty'}`);
  }
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && node.source !== undefined) node.value = node.source;
    },
  });
  const rule = document.toJS();
  if (!isMap(rule)) throw new InvalidHuntError(`${origin}: a Sigma rule must be a YAML map`);
  return rule;
}

function isCloudTrail(logsource: Record<string, unknown>): boolean {
  const value = (key: string) => String(logsource[key] ?? '').toLowerCase();
  return value('product') === 'aws' && value('service') === 'cloudtrail';
}

function huntId(title: string, ruleId: string | null): string {
  const slug = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, HUNT_ID_LENGTH - SIGMA_HUNT_PREFIX.length)
      .replace(/^-+|-+$/g, '');
  const id = slug(title) || slug(ruleId ?? '');
  if (!id) throw new InvalidHuntError('needs a title or id with letters or digits to name the hunt');
  return `${SIGMA_HUNT_PREFIX}${id}`;
}

function severity(level: unknown): Severity {
  if (level === undefined || level === null) return DEFAULT_SEVERITY;
  const mapped = typeof level === 'string' ? severityOfLevel.get(level.toLowerCase()) : undefined;
  if (!mapped) throw new InvalidHuntError(`has the unknown level '${String(level)}'`);
  return mapped;
}

/** `attack.defense_evasion` (older rules) and `attack.defense-evasion` are the same tactic. */
function tactic(tag: string): string[] {
  const name = tag
    .toLowerCase()
    .replace(/^attack\./, '')
    .replaceAll('_', '-');
  return tag.toLowerCase().startsWith('attack.') && attackTactics.has(name) ? [name] : [];
}

function triage(falsePositives: string[]): string {
  const known =
    falsePositives.length > 0
      ? `The rule's authors name these false positives: ${falsePositives.join('; ')}.`
      : 'The rule names no false positives.';
  return `${known} Confirm with the account owner whether the activity was expected, then pivot on the actor and source IP.`;
}

function optionalText(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function textList(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list
    .filter((item): item is string => typeof item === 'string' && item.trim() !== '')
    .map((item) => item.trim());
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
