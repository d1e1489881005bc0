import type { TimelineEntry } from '../domain/case-files/summary-file.js';
import { toCsv } from '../domain/csv.js';

/**
 * Timesketch imports a CSV whose header names at least `message`, `datetime` (ISO 8601) and
 * `timestamp_desc`; every further column becomes a searchable attribute.
 * https://timesketch.org/guides/user/import-from-json-csv/
 */
export const timesketchColumns = [
  'message',
  'datetime',
  'timestamp',
  'timestamp_desc',
  'severity',
  'hunt',
  'hunts',
  'event_name',
  'actor',
  'source_ip',
  'outcome',
  'account_id',
  'region',
  'access_key_id',
  'user_agent',
  'target',
  'event_id',
  'ioc',
] as const;

/** `timeline.csv`: one row per hit (one record, however many hunts found it). */
export function timesketchTimeline(hits: TimelineEntry[]): string {
  return toCsv(
    [...timesketchColumns],
    hits.map((h) => ({
      message: message(h),
      datetime: h.time,
      timestamp: String(Date.parse(h.time) * 1000),
      timestamp_desc: h.eventId ? 'Event time' : 'First seen',
      severity: h.severity,
      hunt: h.huntId,
      hunts: h.hunts.map((x) => x.huntId).join(' '),
      event_name: h.eventName,
      actor: h.actor,
      source_ip: h.sourceIp,
      outcome: h.outcome,
      account_id: h.accountId,
      region: h.region,
      access_key_id: h.accessKeyId,
      user_agent: h.userAgent,
      target: h.target,
      event_id: h.eventId,
      ioc: h.ioc ? 'true' : 'false',
    })),
  );
}

/** `[HIGH] CloudTrail logging stopped: StopLogging by <actor> from <ip>, succeeded`. */
function message(h: TimelineEntry): string {
  const what = h.eventId ? h.eventName : `${h.repeats} events until ${h.lastTime}`;
  const detail = [what, h.actor && `by ${h.actor}`, h.sourceIp && `from ${h.sourceIp}`]
    .filter(Boolean)
    .join(' ');
  return `[${h.severity.toUpperCase()}] ${h.title}${detail ? `: ${detail}` : ''}${h.outcome ? `, ${h.outcome}` : ''}`;
}
