import {
  BUCKETS_PER_CLASS,
  CLASSED_SOURCE,
  type EventClassRouting,
  eventClassRouting,
  eventNameMatcher,
  FLAGGED_EVENTS,
  HEAVY_NAMED_EVENTS,
  NAMED_EVENTS,
  NAMED_FLAGGED_EVENTS,
  ROUTE_CLASSES,
  type RowPattern,
  routeOf,
} from './event-classes.js';
import type { LogSourceId } from './log-sources.js';

/**
 * What a case costs in Athena before it runs, from the sizes of the objects its tables read.
 *
 * Athena bills the bytes a query reads from S3, compressed as stored, rounded up to the megabyte with
 * a 10 MB minimum per query, at $5 per TB in most regions; DDL costs nothing
 * (https://aws.amazon.com/athena/pricing/). A JSON or text log is read whole by every query that
 * touches it, so a scan reads every object of its source in the window. The one pass reads them once
 * into a Parquet copy (CTAS), and each scan then reads only the column chunks it names
 * (https://docs.aws.amazon.com/athena/latest/ug/columnar-storage.html) of the bucket files its
 * `eventname` filter leaves (https://docs.aws.amazon.com/athena/latest/ug/ctas-partitioning-and-bucketing-what-is-bucketing.html),
 * in its route's class partitions alone for a routed hunt (shared/domain/event-classes.ts).
 */
export const DEFAULT_PRICE_PER_TB_USD = 5;
/** Parquet bytes per gzip byte of CloudTrail delivery files, measured by `npm run bench`. */
export const MEASURED_PARQUET_PER_GZIP_BYTE = 0.28;
const MB = 2 ** 20;
const TB = 2 ** 40;
export const MINIMUM_BILLED_BYTES = 10 * MB;
/** A source gets the one pass when at least this many hunts read it (stack parameter `onePassMinHunts`). */
export const DEFAULT_ONE_PASS_MIN_HUNTS = 3;

export interface ListedObject {
  source: LogSourceId;
  /** The S3 key: its `YYYY/MM/DD/` (delivery day) decides whether the window reads it. */
  key: string;
  size: number;
}

/** One scan of a source table by a hunt (see shared/hunts/hunt-scan.ts). */
export interface EstimatedScan {
  source: LogSourceId;
  columns: string[];
  eventNames: string[] | null;
  /** Rows matching these too (shared/hunts/hunt-scan.ts): the scan then reads every bucket file. */
  patterns?: RowPattern[];
  requiresFlagged?: boolean;
  /** Reads every class of the copy whatever its hunt's route (`cloudtrail_activity`). */
  baseline?: boolean;
}

/**
 * How a source's Parquet copy is made up: per event name, the bytes of each column per byte of the
 * compressed logs it was written from, of its flagged rows (failed calls and long-term credentials:
 * the `flagged` and `named_flagged` classes) and of the rest. Any split of the copy into classes and
 * buckets follows from it: a bucket file holds the names that hash to it, a class partition the rows
 * of its class's names, flagged or not as its class says. A source without event names
 * has its whole copy under one key of `events`.
 */
export interface CopyProfile {
  events: Record<string, Record<string, number>>;
  flagged: Record<string, Record<string, number>>;
}

export interface EstimateInput {
  /** The compressed bytes of each source's objects that the window reads (`windowSourceBytes`). */
  sourceBytes: Partial<Record<LogSourceId, number>>;
  hunts: { huntId: string; scans: EstimatedScan[] }[];
  pricePerTbUsd?: number;
  /** Sources with at least this many hunts get the one pass. */
  onePassMinHunts: number;
  /** The copy's layout per source; a source without one is charged its whole copy per scan. */
  profiles: Partial<Record<LogSourceId, CopyProfile>>;
  /** Parquet bytes per compressed source byte, for a source without a profile. */
  parquetPerSourceByte?: number;
  /** Whether the listing behind `sourceBytes` is the window's whole listing; otherwise why not. */
  listing?: { complete: boolean; note?: string };
}

export interface QueryEstimate {
  bytes: number;
  billedBytes: number;
  costUsd: number;
}

export interface AthenaEstimate {
  pricePerTbUsd: number;
  onePassMinHunts: number;
  sourceBytes: Partial<Record<LogSourceId, number>>;
  listing: { complete: boolean; note?: string };
  /** Sources copied once to Parquet, and what each copy reads. */
  copies: (QueryEstimate & { source: LogSourceId })[];
  /**
   * `readsNamedEvents`: the hunt takes a named route, reading only its names' rows of the CloudTrail
   * copy; `eventClasses`: the partitions a routed hunt reads.
   */
  hunts: (QueryEstimate & {
    huntId: string;
    readsCopy: boolean;
    readsNamedEvents?: boolean;
    eventClasses?: string[];
  })[];
  /** Every hunt reading the logs as delivered. */
  direct: QueryEstimate;
  /** The copies plus every hunt, each on the copy where its sources have one. */
  withOnePass: QueryEstimate;
  /** `withOnePass.bytes` over the compressed size of the window's logs. */
  ratioToSource: number;
}

export function estimateAthenaCost(input: EstimateInput): AthenaEstimate {
  const price = input.pricePerTbUsd ?? DEFAULT_PRICE_PER_TB_USD;
  if (!(price >= 0)) throw new RangeError(`price per TB must be a non-negative number, got ${price}`);
  const wholeCopy = input.parquetPerSourceByte ?? MEASURED_PARQUET_PER_GZIP_BYTE;
  if (!(wholeCopy > 0)) throw new RangeError(`parquetPerSourceByte must be positive, got ${wholeCopy}`);
  const { sourceBytes } = input;
  const copied = onePassSources(input.hunts, input.onePassMinHunts);
  const query = (bytes: number): QueryEstimate => billed(bytes, price);
  const direct = input.hunts.map((h) =>
    query(h.scans.reduce((sum, scan) => sum + (sourceBytes[scan.source] ?? 0), 0)),
  );
  const routing = eventClassRouting(copied.has(CLASSED_SOURCE) ? input.hunts : []);
  const hunts = input.hunts.map((h) => {
    const route = routeOf(routing, h.huntId);
    const readsNamedEvents = route !== null && route !== 'flagged';
    const bytes = h.scans.reduce((sum, scan) => {
      const logs = sourceBytes[scan.source] ?? 0;
      if (!copied.has(scan.source)) return sum + logs;
      const profile = input.profiles[scan.source];
      const read = route && !scan.baseline ? classesRead(ROUTE_CLASSES[route], routing) : null;
      const perLogByte = profile ? bytesPerSourceByte(profile, scan, read) : wholeCopy;
      return sum + Math.ceil(logs * perLogByte);
    }, 0);
    const readsCopy = h.scans.some((scan) => copied.has(scan.source));
    return {
      huntId: h.huntId,
      readsCopy,
      readsNamedEvents,
      ...(route ? { eventClasses: ROUTE_CLASSES[route] } : {}),
      ...query(bytes),
    };
  });
  const copies = [...copied]
    .filter((source) => (sourceBytes[source] ?? 0) > 0)
    .map((source) => ({ source, ...query(sourceBytes[source] ?? 0) }));
  const withOnePass = total([...copies, ...hunts], price);
  const logs = Object.values(sourceBytes).reduce((sum, n) => sum + (n ?? 0), 0);
  return {
    pricePerTbUsd: price,
    onePassMinHunts: input.onePassMinHunts,
    sourceBytes,
    listing: input.listing ?? { complete: true },
    copies,
    hunts,
    direct: total(direct, price),
    withOnePass,
    ratioToSource: logs === 0 ? 0 : withOnePass.bytes / logs,
  };
}

/** The sources enough hunts read to pay for a copy: at least `minHunts` hunts. */
export function onePassSources(
  hunts: { scans: { source: LogSourceId }[] }[],
  minHunts: number,
): Set<LogSourceId> {
  const counts = new Map<LogSourceId, number>();
  for (const hunt of hunts) {
    for (const source of new Set(hunt.scans.map((s) => s.source)))
      counts.set(source, (counts.get(source) ?? 0) + 1);
  }
  return new Set([...counts].filter(([, n]) => n >= minHunts).map(([source]) => source));
}

/**
 * The partitions a routed hunt reads: the flagged rows of `flaggedNames` (of every name when null: the
 * `flagged` and `named_flagged` partitions), and the other rows of `names`.
 */
export interface ClassesRead {
  flaggedNames: ReadonlySet<string> | null;
  names: ReadonlySet<string>;
  /** The event names of the routed patterns these partitions hold, with `names` and `flaggedNames`. */
  matches?: (name: string) => boolean;
  flaggedMatches?: (name: string) => boolean;
}

/**
 * What a set of class partitions holds, by the case's routing: `flagged` with `named_flagged` every
 * flagged row, `named_flagged` alone the flagged rows of the routed names; `named` and `named_heavy`
 * the other rows of the light and the heavy routed names, and of the names their patterns match (a
 * pattern on another column than the name is taken to match no row: the model knows names alone).
 */
export function classesRead(classes: readonly string[], routing: EventClassRouting): ClassesRead {
  const light = classes.includes(NAMED_EVENTS) ? routing.names : [];
  const heavy = classes.includes(HEAVY_NAMED_EVENTS) ? routing.heavyNames : [];
  const flaggedOfNamed = classes.includes(NAMED_FLAGGED_EVENTS);
  if (classes.includes(FLAGGED_EVENTS) && !flaggedOfNamed)
    throw new RangeError('the flagged rows of unrouted names alone are no set this model knows');
  const flaggedNames = classes.includes(FLAGGED_EVENTS)
    ? null
    : new Set(flaggedOfNamed ? [...routing.names, ...routing.heavyNames] : []);
  const lightPatterns = classes.includes(NAMED_EVENTS) ? routing.patterns : [];
  const heavyPatterns = classes.includes(HEAVY_NAMED_EVENTS) ? routing.heavyPatterns : [];
  return {
    flaggedNames,
    names: new Set([...light, ...heavy]),
    matches: matcherOf([...lightPatterns, ...heavyPatterns]),
    flaggedMatches: matcherOf(flaggedOfNamed ? routing.patterns : []),
  };
}

function matcherOf(patterns: RowPattern[]): (name: string) => boolean {
  const tests = patterns
    .filter((p) => p.column === 'eventname')
    .map((p) => eventNameMatcher(p) ?? (() => true));
  return (name) => tests.some((test) => test(name));
}

/**
 * The columns a scan names, in the bucket files its event names hash to (every file when it names
 * none), of its route's partitions alone when its hunt is routed (`read`), of every one otherwise.
 */
export function bytesPerSourceByte(
  profile: CopyProfile,
  scan: Pick<EstimatedScan, 'columns' | 'eventNames' | 'patterns'>,
  read: ClassesRead | null = null,
) {
  const buckets =
    scan.eventNames &&
    (scan.patterns ?? []).length === 0 &&
    new Set(scan.eventNames.map((name) => hiveBucket(name, BUCKETS_PER_CLASS)));
  const inFiles = (name: string) => !buckets || buckets.has(hiveBucket(name, BUCKETS_PER_CLASS));
  const parts = [
    ...Object.entries(profile.flagged).filter(
      ([name]) =>
        read === null ||
        read.flaggedNames === null ||
        read.flaggedNames.has(name) ||
        read.flaggedMatches?.(name) === true,
    ),
    ...Object.entries(profile.events).filter(
      ([name]) => read === null || read.names.has(name) || read.matches?.(name) === true,
    ),
  ];
  let sum = 0;
  for (const [name, columns] of parts) {
    if (!inFiles(name)) continue;
    for (const column of scan.columns) sum += columns[column] ?? 0;
  }
  return sum;
}

/**
 * The bucket Athena writes a string value to with its default (Hive) bucketing: the Java-style
 * hash (h * 31 + byte, over the UTF-8 bytes as signed bytes) made non-negative, modulo the count.
 */
export function hiveBucket(value: string, bucketCount: number): number {
  let hash = 0;
  for (const byte of new TextEncoder().encode(value)) hash = (Math.imul(hash, 31) + ((byte << 24) >> 24)) | 0;
  return (hash & 0x7fffffff) % bucketCount;
}

export function billed(bytes: number, price: number): QueryEstimate {
  const billedBytes = Math.max(MINIMUM_BILLED_BYTES, Math.ceil(bytes / MB) * MB);
  return { bytes, billedBytes, costUsd: (billedBytes / TB) * price };
}

export function total(queries: QueryEstimate[], price: number): QueryEstimate {
  const billedBytes = queries.reduce((s, q) => s + q.billedBytes, 0);
  return {
    bytes: queries.reduce((s, q) => s + q.bytes, 0),
    billedBytes,
    costUsd: (billedBytes / TB) * price,
  };
}

const DELIVERY_DAY = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})\//;
const DAY_MS = 86_400_000;

/**
 * The compressed bytes each source's objects hold that the window reads, added to `into` one object at
 * a time as a listing comes: a listing of two million objects is never held for its sizes. An object
 * whose key carries a delivery day more than a day outside the window is not read.
 */
export function windowSourceBytes(
  objects: Iterable<ListedObject>,
  window?: EstimateWindow,
  into: Partial<Record<LogSourceId, number>> = {},
): Partial<Record<LogSourceId, number>> {
  const inWindow = deliveryDayTest(window);
  for (const object of objects) {
    if (!Number.isSafeInteger(object.size) || object.size < 0)
      throw new RangeError(`object ${object.key} has no valid size (${object.size})`);
    if (inWindow(object.key)) into[object.source] = (into[object.source] ?? 0) + object.size;
  }
  return into;
}

/** The case window; an open end reads every delivery day on its side. */
export type EstimateWindow = { from: string | null; to: string | null };

/**
 * The key's date is the delivery day, which can be a day after the event (and a day before, across
 * time zones of the writer): a day of slack each side, as the Athena partition projection allows.
 */
function deliveryDayTest(window: EstimateWindow | undefined): (key: string) => boolean {
  const from = window?.from ? Date.parse(window.from.slice(0, 10)) - DAY_MS : Number.NEGATIVE_INFINITY;
  const to = window?.to ? Date.parse(window.to.slice(0, 10)) + DAY_MS : Number.POSITIVE_INFINITY;
  return (key) => {
    const day = DELIVERY_DAY.exec(key);
    if (!day) return true;
    const at = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    return at >= from && at <= to;
  };
}
