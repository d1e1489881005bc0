import type { TimelineEntry, TimelineHunt, TimelineLimits } from '../domain/case-files/summary-file.js';
import {
  behaviourHuntColumns,
  cloudtrailEventHuntColumns,
  type Severity,
  severities,
} from '../domain/hunt-definition.js';
import { type HuntResultRecord, rowRecordId } from '../domain/hunt-result.js';

export type HuntRow = Record<string, string | null>;

/** Rows of one hunt's CSV read into the timeline; the rest are counted and named in the report. */
export const TIMELINE_ROWS_PER_FINDING = 500;
/** Entries (after merging and folding) the timeline keeps; the least severe go first. */
export const TIMELINE_ENTRIES = 1_000;
/** Repeats closer together than this are one burst on the timeline. */
const REPEAT_GAP_MS = 10 * 60_000;

/** An indicator's own activity ranks with high findings when the timeline must drop rows. */
export const severityRank = (s: Severity | 'ioc') =>
  s === 'ioc' ? severities.indexOf('high') : severities.indexOf(s);

/** Columns that describe the call itself; any other column names what it acted on. */
const contextColumns = new Set<string>([
  // Every event hunt's leading columns, and a CloudTrail one's event id and outcome.
  ...cloudtrailEventHuntColumns,
  ...behaviourHuntColumns,
  'outcome',
  'error_code',
  'error_message',
  'user_agent',
  'user_agents',
  'client',
  'access_key_id',
  'source_ips',
  'event_names',
  'event_source',
  'identity_type',
  'mfa_used',
  'services',
  'service_names',
]);

/**
 * Every row of every finding (up to TIMELINE_ROWS_PER_FINDING each) on one time line. A record
 * several hunts found is one entry at the highest severity, naming every hunt; an indicator's row
 * marks the entry it belongs to. When more entries remain than fit, the most severe are kept.
 * `hits` are the same events before repeats are folded and before that cut, one per record.
 */
export function caseTimeline(
  results: HuntResultRecord[],
  rowsOf: (result: HuntResultRecord) => HuntRow[],
): { timeline: TimelineEntry[]; hits: TimelineEntry[]; limits: TimelineLimits } {
  const byEventId = new Map<string, TimelineEntry>();
  const entries: TimelineEntry[] = [];
  const cut: TimelineLimits['cut'] = [];
  for (const result of results) {
    const rows = rowsOf(result).slice(0, TIMELINE_ROWS_PER_FINDING);
    if (result.rowCount > rows.length)
      cut.push({
        huntId: result.huntId,
        resultsFile: result.resultsFile,
        rowsLeftOut: result.rowCount - rows.length,
      });
    for (const row of rows) {
      const entry = timelineEntry(result, row);
      if (!entry) continue;
      const eventId = result.kind === 'behaviour' ? null : rowRecordId(result.columns, row);
      const earlier = eventId ? byEventId.get(eventId) : undefined;
      if (earlier) mergeInto(earlier, entry);
      else {
        entries.push(entry);
        if (eventId) byEventId.set(eventId, entry);
      }
    }
  }
  entries.sort((a, b) => a.time.localeCompare(b.time));
  const hits = entries.map((e) => ({ ...e, hunts: [...e.hunts] }));
  const folded = foldRepeats(entries);
  const kept = folded
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.time.localeCompare(b.time))
    .slice(0, TIMELINE_ENTRIES)
    .sort((a, b) => a.time.localeCompare(b.time) || severityRank(b.severity) - severityRank(a.severity));
  return {
    timeline: kept,
    hits,
    limits: {
      rowsPerFinding: TIMELINE_ROWS_PER_FINDING,
      entries: TIMELINE_ENTRIES,
      entriesLeftOut: folded.length - kept.length,
      cut,
    },
  };
}

function timelineEntry(result: HuntResultRecord, row: HuntRow): TimelineEntry | null {
  const time = value(row.event_time) ?? value(row.first_seen);
  if (!time) return null;
  const pivot = result.kind === 'pivot';
  const behaviour = result.kind === 'behaviour';
  const hunt: TimelineHunt = {
    huntId: result.huntId,
    title: result.title,
    severity: pivot ? 'ioc' : result.severity,
  };
  return {
    time,
    severity: hunt.severity,
    huntId: hunt.huntId,
    title: hunt.title,
    hunts: [hunt],
    ioc: pivot,
    eventId: behaviour ? null : rowRecordId(result.columns, row),
    eventName: value(row.event_name) ?? firstItems(row.event_names),
    actor: value(row.actor),
    sourceIp: value(row.source_ip) ?? firstItems(row.source_ips),
    outcome: outcome(result, row),
    accountId: value(row.account_id),
    region: value(row.region),
    accessKeyId: value(row.access_key_id),
    userAgent: value(row.user_agent) ?? value(row.client) ?? firstItems(row.user_agents, 1, ' | '),
    target: target(result, row),
    repeats: behaviour ? Math.max(1, Number(row.event_count) || 1) : 1,
    lastTime: (behaviour ? value(row.last_seen) : null) ?? time,
  };
}

/** The hunt's own `outcome` column when it has one; otherwise its error code says the call failed. */
function outcome(result: HuntResultRecord, row: HuntRow): string | null {
  const stated = value(row.outcome);
  if (stated) return stated;
  if (!result.columns.includes('error_code')) return null;
  const code = value(row.error_code);
  return code ? `failed: ${code}` : 'succeeded';
}

function target(result: HuntResultRecord, row: HuntRow): string | null {
  const candidates = [...(result.reportColumns ?? []), ...result.columns].filter(
    (c) => !contextColumns.has(c),
  );
  for (const column of candidates) {
    const v = value(row[column]);
    if (v) return `${column}: ${v}`;
  }
  return null;
}

function mergeInto(entry: TimelineEntry, other: TimelineEntry): void {
  for (const hunt of other.hunts)
    if (!entry.hunts.some((h) => h.huntId === hunt.huntId)) entry.hunts.push(hunt);
  entry.ioc ||= other.ioc;
  const detections = entry.hunts.filter((h) => h.severity !== 'ioc');
  const lead = [...(detections.length > 0 ? detections : entry.hunts)].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity),
  )[0];
  if (lead) {
    entry.severity = lead.severity;
    entry.huntId = lead.huntId;
    entry.title = lead.title;
  }
  for (const key of ['outcome', 'accountId', 'region', 'accessKeyId', 'userAgent', 'target'] as const)
    entry[key] ??= other[key];
}

/** Twenty-five identical GetPasswordData calls in five seconds read as one line: "25 times". */
function foldRepeats(sorted: TimelineEntry[]): TimelineEntry[] {
  const folded: TimelineEntry[] = [];
  const open = new Map<string, TimelineEntry>();
  for (const entry of sorted) {
    const key = [
      entry.hunts.map((h) => h.huntId).join(','),
      entry.eventName,
      entry.actor,
      entry.sourceIp,
      entry.outcome,
      entry.target,
      entry.eventId === null,
    ].join('\u0000');
    const previous = open.get(key);
    if (
      previous &&
      entry.eventId !== null &&
      Date.parse(entry.time) - Date.parse(previous.lastTime) <= REPEAT_GAP_MS
    ) {
      previous.repeats += 1;
      previous.lastTime = entry.time;
      continue;
    }
    open.set(key, entry);
    folded.push(entry);
  }
  return folded;
}

function value(v: string | null | undefined): string | null {
  return v === undefined || v === null || v === '' ? null : v;
}

/** An entry's "what": its hunt's title, with how many events or repeats it stands for. */
export function describeEntry(e: TimelineEntry): string {
  if (e.eventId === null)
    return e.repeats > 1 ? `${e.title} (${e.repeats} events, until ${e.lastTime})` : e.title;
  return e.repeats > 1 ? `${e.title} (${e.repeats} times, until ${e.lastTime})` : e.title;
}

/** `a,b,c,d` as `a, b, c and 1 more`: a list column shown in one cell. */
function firstItems(list: string | null | undefined, shown = 3, separator = ','): string | null {
  const items = (value(list) ?? '').split(separator).filter((i) => i !== '');
  if (items.length === 0) return null;
  const head = items.slice(0, shown).join(', ');
  return items.length > shown ? `${head} and ${items.length - shown} more` : head;
}
