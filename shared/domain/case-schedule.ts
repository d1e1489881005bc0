import { createHash } from 'node:crypto';
import { InvalidRequestError } from '../errors.js';

/** A request's `schedule`: run the case again every so often, for so many days. */
export interface CaseSchedule {
  /** As EventBridge Scheduler's rate expression takes it: `1 hour`, `30 minutes`, `2 days`. */
  every: string;
  everyMinutes: number;
  forDays: number;
}

/**
 * A run covers from the previous run's end less 15 minutes of overlap: a schedule more frequent than
 * that would re-read more than it adds.
 */
export const MIN_EVERY_MINUTES = 15;
export const MAX_EVERY_MINUTES = 7 * 24 * 60;
/** Past this, a standing case is a monitoring job, not an investigation: open a new case. */
export const MAX_SCHEDULE_DAYS = 90;

const UNIT_MINUTES = { minute: 1, hour: 60, day: 1440 } as const;

/**
 * Checks `schedule: { every: "1 hour", forDays: 7 }`. `every` is a rate as EventBridge Scheduler
 * writes it, `rate(value unit)`, the unit singular for 1 and plural otherwise
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html), so the same text
 * serves the schedule and the local timer.
 */
export function parseCaseSchedule(raw: unknown): CaseSchedule | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidRequestError(`'schedule' must be an object: { every: "1 hour", forDays: 7 }.`);
  }
  const r = raw as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => k !== 'every' && k !== 'forDays');
  if (unknown.length > 0) {
    throw new InvalidRequestError(`'schedule' takes every and forDays, not ${unknown.join(', ')}.`);
  }
  const every = typeof r.every === 'string' ? /^([1-9]\d{0,4}) (minute|hour|day)(s?)$/.exec(r.every) : null;
  const count = Number(every?.[1]);
  const unit = every?.[2] as keyof typeof UNIT_MINUTES | undefined;
  if (!every || !unit || (count === 1) !== (every[3] === '')) {
    throw new InvalidRequestError(
      `'schedule.every' must be a rate such as "1 hour", "30 minutes" or "2 days" (singular for 1), got ${JSON.stringify(r.every)}.`,
    );
  }
  const everyMinutes = count * UNIT_MINUTES[unit];
  if (everyMinutes < MIN_EVERY_MINUTES || everyMinutes > MAX_EVERY_MINUTES) {
    throw new InvalidRequestError(
      `'schedule.every' must be from ${MIN_EVERY_MINUTES} minutes to 7 days, got "${r.every}".`,
    );
  }
  if (
    !Number.isInteger(r.forDays) ||
    (r.forDays as number) < 1 ||
    (r.forDays as number) > MAX_SCHEDULE_DAYS
  ) {
    throw new InvalidRequestError(
      `'schedule.forDays' must be a whole number of days from 1 to ${MAX_SCHEDULE_DAYS}.`,
    );
  }
  return { every: r.every as string, everyMinutes, forDays: r.forDays as number };
}

/** `rate(1 hour)`: the schedule expression. */
export function rateExpression(schedule: CaseSchedule): string {
  return `rate(${schedule.every})`;
}

/** When the schedule stops: its last run is the last rate tick before this. */
export function scheduleEnd(schedule: CaseSchedule, startedAt: Date): Date {
  return new Date(startedAt.getTime() + schedule.forDays * 86_400_000);
}

/**
 * The schedule's name: the case id where it fits, since a schedule name is 1-64 characters of
 * `[0-9a-zA-Z-_.]` (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html)
 * and a case id up to 80; a longer one is cut, and a hash of the whole id keeps two apart.
 */
export function scheduleName(caseId: string): string {
  if (caseId.length <= 64) return caseId;
  const hash = createHash('sha256').update(caseId).digest('hex').slice(0, 8);
  return `${caseId.slice(0, 64 - hash.length - 1)}.${hash}`;
}
