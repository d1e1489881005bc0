import { DAY } from './clock.js';
import { type ApiCall, type JsonObject, toRecord } from './cloudtrail-record.js';
import { PROD, STAGING } from './estate.js';
import type { Account } from './principals.js';
import type { Rng } from './seeded-random.js';

export interface Scene {
  from: number;
  to: number;
  days: number;
  attackDay: number;
  rng: Rng;
  timeline: Timeline;
}

export interface Entry {
  at: number;
  account: Account;
  region: string;
  eventId: string;
  record: JsonObject;
}

/** Every event in the order it was made up; delivery sorts and cuts them into files later. */
export class Timeline {
  readonly entries: Entry[] = [];
  readonly attackEventIds: string[] = [];

  constructor(private readonly ids: Rng) {}

  emit(call: ApiCall, origin: 'benign' | 'attack' = 'benign'): void {
    const record = toRecord(call, this.ids);
    const eventId = String(record.eventID);
    this.entries.push({ at: call.at, account: call.account, region: call.region, eventId, record });
    if (origin === 'attack') this.attackEventIds.push(eventId);
  }
}

export function attackDayStart(scene: Scene): number {
  return scene.from + scene.attackDay * DAY;
}

export function lastDayStart(scene: Scene): number {
  return scene.from + (scene.days - 1) * DAY;
}

export function workdays(scene: Scene): number[] {
  const days: number[] = [];
  for (let day = scene.from; day < scene.to; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(day);
  }
  return days;
}

/**
 * A cross-account STS call is recorded in the caller's account and in the role's account: two
 * records with one requestID and one sharedEventID.
 */
export function emitInBothAccounts(
  scene: Scene,
  rng: Rng,
  call: Omit<ApiCall, 'account'>,
  origin: 'benign' | 'attack' = 'benign',
): void {
  const requestId = rng.uuid();
  const sharedEventId = rng.uuid();
  for (const account of [PROD, STAGING]) {
    scene.timeline.emit({ ...call, account, requestId, sharedEventId }, origin);
  }
}
