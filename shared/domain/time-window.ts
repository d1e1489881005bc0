import { InvalidRequestError } from '../errors.js';

/** The span of time under investigation; an open end means "as far as the logs go". */
export interface TimeWindow {
  from: string | null;
  to: string | null;
}

/** A window with both ends: what every step reads, closed once when the case opens. */
export interface ClosedTimeWindow {
  from: string;
  to: string;
}

/**
 * How an open end is closed. In AWS the logs go back years and every byte Athena scans is paid
 * for, so an open start reaches back DEFAULT_LOOKBACK_DAYS before the end and an open end is the
 * moment the case opened. A folder of evidence is read whole: its open ends stay unbounded.
 */
export type OpenEnds = 'lookback' | 'unbounded';

/**
 * How far back a case without a start looks, from its end. Partition projection needs a first day,
 * and CloudTrail's own event history keeps 90 days, as far back as a responder usually expects to
 * look without saying so.
 */
export const DEFAULT_LOOKBACK_DAYS = 90;
export const UNBOUNDED_FROM = '1970-01-01T00:00:00.000Z';
export const UNBOUNDED_TO = '9999-12-31T23:59:59.999Z';

/**
 * Closes a window once, when the case opens. The lookback counts back from the end, so an end older
 * than the lookback never makes a window that starts after it ends.
 */
export function closeTimeWindow(window: TimeWindow, openedAt: string, openEnds: OpenEnds): ClosedTimeWindow {
  if (openEnds === 'unbounded') return { from: window.from ?? UNBOUNDED_FROM, to: window.to ?? UNBOUNDED_TO };
  const to = window.to ?? openedAt;
  const from = window.from ?? new Date(Date.parse(to) - DEFAULT_LOOKBACK_DAYS * 86_400_000).toISOString();
  if (from > to) {
    throw new InvalidRequestError(`The window starts (${from}) after the case was opened (${to}).`);
  }
  return { from, to };
}

/** Accepts ISO 8601 dates or timestamps and returns them normalised to UTC (`...Z`). */
export function parseTimeWindow(from?: string | null, to?: string | null): TimeWindow {
  const window = {
    from: normaliseInstant(from, 'from'),
    to: endOfDayWhenDateOnly(to, normaliseInstant(to, 'to')),
  };
  if (window.from && window.to && window.from > window.to) {
    throw new InvalidRequestError(`The window starts (${window.from}) after it ends (${window.to}).`);
  }
  return window;
}

/** `--to 2024-05-01` means through the end of that day, as a responder reading a date means it. */
function endOfDayWhenDateOnly(raw: string | null | undefined, instant: string | null): string | null {
  if (instant === null || !raw || !/^\d{4}-\d{2}-\d{2}$/.test(raw)) return instant;
  return new Date(Date.parse(instant) + 86_399_999).toISOString();
}

export function normaliseInstant(value: string | null | undefined, name: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    throw new InvalidRequestError(`'${name}' must be an ISO 8601 date or timestamp, got '${value}'.`);
  }
  const parsed = new Date(/[T ]/.test(value) && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value}Z` : value);
  if (Number.isNaN(parsed.getTime())) {
    throw new InvalidRequestError(`'${name}' is not a real instant: '${value}'.`);
  }
  return parsed.toISOString();
}

/**
 * The UTC days a window touches, widened by one day on each side: CloudTrail files sit under the
 * day they were delivered, which can be the day after the events (or before, across time zones).
 */
export function deliveryDays(window: { from: string; to: string }): { first: string; last: string } {
  const day = 86_400_000;
  const first = new Date(Date.parse(window.from) - day).toISOString().slice(0, 10);
  const last = new Date(Date.parse(window.to) + day).toISOString().slice(0, 10);
  return { first, last };
}
