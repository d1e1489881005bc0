import { SECOND } from './clock.js';

export const HEX = '0123456789abcdef';
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** The alphabet of IAM unique ids and access key ids. */
export const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** mulberry32; `fork` gives each part of the story its own stream, so one part's changes leave the others be. */
export class Rng {
  private state: number;

  constructor(private readonly seed: number) {
    this.state = seed >>> 0;
  }

  fork(label: string): Rng {
    return new Rng(fnv1a(`${this.seed}/${label}`));
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return itemAt(items, this.int(0, items.length - 1));
  }

  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet.charAt(Math.floor(this.next() * alphabet.length));
    return out;
  }

  hex(length: number): string {
    return this.chars(HEX, length);
  }

  /** Whole seconds between `min` and `max`, in milliseconds. */
  seconds(min: number, max: number): number {
    return this.int(min, max) * SECOND;
  }

  /** The wait until the next event of a Poisson process with this mean, in whole seconds. */
  wait(mean: number): number {
    return Math.max(1, Math.round((-Math.log(1 - this.next()) * mean) / SECOND)) * SECOND;
  }

  uuid(): string {
    const h = this.hex(30);
    const variant = '89ab'.charAt(this.int(0, 3));
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-${variant}${h.slice(15, 18)}-${h.slice(18, 30)}`;
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** An id that depends only on what it names, so the story's principals keep their ids across seeds. */
export function stableId(prefix: string, key: string, length: number, alphabet = ID_ALPHABET): string {
  return prefix + new Rng(fnv1a(key)).chars(alphabet, length);
}

export function stableUuid(key: string): string {
  return new Rng(fnv1a(key)).uuid();
}

export function itemAt<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`No item at ${index} of ${items.length}`);
  return item;
}
