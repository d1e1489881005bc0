import { InvalidRequestError } from '../errors.js';

/** The span of time under investigation; an open end means "as far as the logs go". */
export interface TimeWindow {
  from: string | null;
  to: string | null;
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

function normaliseInstant(value: string | null | undefined, name: string): string | null {
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
