import { InvalidHuntError } from '../errors.js';
import { type Iocs, type IocType, iocTypes } from './iocs.js';
import { isLogSourceId, type LogSourceId } from './log-sources.js';
import { outputColumns } from './output-columns.js';

export const severities = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

/**
 * `event` hunts return one row per matching event; `behaviour` hunts aggregate many events into one
 * row per actor and carry the `eventids` behind it; `pivot` hunts return everything the case's IOCs
 * did, and run only when the request names IOCs of their types.
 */
export type HuntKind = 'event' | 'behaviour' | 'pivot';

export interface HuntTestCase {
  name: string;
  /** `match`: the hunt must report at least one row; `no-match`: none. */
  expect: 'match' | 'no-match';
  /** JSON sources: the records exactly as delivered (CloudTrail events as in a `Records` list). */
  records?: Record<string, unknown>[];
  /** Text sources (flow logs, access logs): the raw lines of a delivered file, header line included. */
  lines?: string[];
  /** Which of the hunt's sources the records belong to; the first one when absent. */
  source?: LogSourceId;
  /** Pivot hunts: the IOCs of the test's imagined request. */
  iocs?: Iocs;
}

export interface HuntDefinition {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  kind: HuntKind;
  sources: LogSourceId[];
  /** MITRE ATT&CK technique ids (T1562.008), at the version pinned in the library. */
  mitre: string[];
  tactics: string[];
  triage: string;
  references: string[];
  /** Athena (Trino) SQL: the single text both engines run. */
  sql: string;
  /** The IOC list bound to each `?` of the SQL, in order (newline-joined; split in SQL). */
  parameters?: IocType[];
  tests: HuntTestCase[];
  /**
   * The columns beyond the leading ones that decide a row (error code, outside account, trusted
   * principal), shown first in the report's tables. Optional: without it the report picks.
   */
  reportColumns?: string[];
}

/** The leading columns of every event hunt, so results from all hunts line up in one timeline. */
export const eventHuntLeadingColumns = [
  'event_time',
  'event_name',
  'actor',
  'source_ip',
  'account_id',
  'region',
] as const;

/**
 * CloudTrail event and pivot hunts continue with the record id and whether the call succeeded, from
 * the API's own failure shape (the `outcome` column of `cloudtrail_events`), so a timeline tells a
 * change from an attempt.
 */
export const cloudtrailEventHuntColumns = [...eventHuntLeadingColumns, 'eventid', 'outcome'] as const;

/**
 * The column that identifies one record of each source, looked up by name in a hunt's rows. Flow
 * logs and DNS query logs carry no record id, so their rows have none.
 */
export const recordIdColumns = ['eventid', 'auditid', 'finding_id', 'request_id', 'trace_id'] as const;

/** Behaviour hunts name the actor, the span of the behaviour and the events behind it. */
export const behaviourHuntColumns = ['first_seen', 'last_seen', 'actor', 'event_count', 'eventids'] as const;

/** The columns a hunt of this kind and these sources must lead with. */
export function requiredLeadingColumns(kind: HuntKind, sources: readonly LogSourceId[]): readonly string[] {
  if (kind === 'behaviour') return behaviourHuntColumns;
  return sources.includes('cloudtrail') ? cloudtrailEventHuntColumns : eventHuntLeadingColumns;
}

const HUNT_ID = /^[a-z0-9][a-z0-9-]{1,79}$/;
const TECHNIQUE = /^T\d{4}(\.\d{3})?$/;

/** Checks a parsed hunt file; every problem is reported at once, naming the file. */
export function validateHunt(raw: unknown, origin: string): HuntDefinition {
  const problems: string[] = [];
  const h = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const text = (key: string) => {
    if (typeof h[key] !== 'string' || (h[key] as string).trim() === '')
      problems.push(`'${key}' must be text`);
    return String(h[key] ?? '').trim();
  };
  const list = (key: string, check: (v: string) => boolean, message: string) => {
    const value = h[key] ?? [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && check(v))) {
      problems.push(`'${key}' ${message}`);
      return [];
    }
    return value as string[];
  };
  const id = text('id');
  if (!HUNT_ID.test(id)) problems.push(`id '${id}' must be lower-case words joined by '-'`);
  const severity = text('severity');
  if (!(severities as readonly string[]).includes(severity))
    problems.push(`severity '${severity}' is unknown`);
  const kind = text('kind');
  if (kind !== 'event' && kind !== 'behaviour' && kind !== 'pivot')
    problems.push(`kind must be event, behaviour or pivot`);
  const parameters = list(
    'parameters',
    (v) => (iocTypes as readonly string[]).includes(v),
    `must name IOC types (${iocTypes.join(', ')})`,
  );
  const placeholders = (
    String(h.sql ?? '')
      .replace(/'(?:[^']|'')*'/g, '')
      .match(/\?/g) ?? []
  ).length;
  if (placeholders !== parameters.length) {
    problems.push(
      `the SQL has ${placeholders} '?' placeholders but ${parameters.length} parameters are declared`,
    );
  }
  if (kind === 'pivot' && parameters.length === 0) problems.push('a pivot hunt needs IOC parameters');
  const sources = list('sources', isLogSourceId, 'must list known log sources');
  if (sources.length === 0) problems.push(`'sources' must name at least one log source`);
  const mitre = list('mitre', (v) => TECHNIQUE.test(v), 'must list ATT&CK technique ids like T1562.008');
  const tests = validateTests(h.tests, problems);
  if (sources.length > 0 && (kind === 'event' || kind === 'behaviour' || kind === 'pivot')) {
    const required = requiredLeadingColumns(kind, sources as LogSourceId[]);
    const leading = outputColumns(String(h.sql ?? '')).slice(0, required.length);
    if (leading.join(',') !== required.join(',')) {
      problems.push(
        `the SQL must return ${required.join(', ')} first (it returns ${leading.join(', ') || 'none'})`,
      );
    }
  }
  const reportColumns = list('reportColumns', (v) => /^[a-z_][a-z0-9_]*$/.test(v), 'must list column names');
  const hunt: HuntDefinition = {
    id,
    title: text('title'),
    description: text('description'),
    severity: severity as Severity,
    kind: kind as HuntKind,
    sources: sources as LogSourceId[],
    mitre,
    tactics: list('tactics', (v) => v.length > 0, 'must list ATT&CK tactics'),
    triage: text('triage'),
    references: list('references', (v) => /^https?:\/\//.test(v), 'must be URLs'),
    sql: text('sql'),
    parameters: parameters as IocType[],
    tests,
    ...(h.reportColumns === undefined ? {} : { reportColumns }),
  };
  if (problems.length > 0) throw new InvalidHuntError(`${origin}: ${problems.join('; ')}`);
  return hunt;
}

function validateTests(raw: unknown, problems: string[]): HuntTestCase[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push(`'tests' must hold at least one positive and one negative case`);
    return [];
  }
  const tests = raw.map((t, i) => {
    const test = (t ?? {}) as Record<string, unknown>;
    if (typeof test.name !== 'string') problems.push(`test ${i + 1} needs a name`);
    if (test.expect !== 'match' && test.expect !== 'no-match')
      problems.push(`test ${i + 1}: expect match|no-match`);
    if (!Array.isArray(test.records) && !Array.isArray(test.lines))
      problems.push(`test ${i + 1} needs records or lines`);
    if (test.source !== undefined && !isLogSourceId(String(test.source)))
      problems.push(`test ${i + 1}: unknown source`);
    return test as unknown as HuntTestCase;
  });
  if (!tests.some((t) => t.expect === 'match') || !tests.some((t) => t.expect === 'no-match')) {
    problems.push('tests need both a match and a no-match case');
  }
  return tests;
}
