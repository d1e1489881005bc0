import { parseTimeWindow } from '../../domain/time-window.js';
import { InvalidRequestError } from '../../errors.js';

// Time in the story is UTC milliseconds and never the wall clock, so the same options give the same corpus.

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function utcMidnight(start: string): number {
  const { from } = parseTimeWindow(start, null);
  if (from === null) throw new InvalidRequestError('The demo needs a start date.');
  const ms = Date.parse(from);
  return ms - (((ms % DAY) + DAY) % DAY);
}

export function hourOfDay(at: number): number {
  return Math.floor((((at % DAY) + DAY) % DAY) / HOUR);
}

export function clockToMs(clock: string): number {
  const [h, m, s] = clock.split(':').map(Number);
  return ((h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0)) * SECOND;
}

export function iso(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19)}Z`;
}
