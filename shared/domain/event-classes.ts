import type { LogSourceId } from './log-sources.js';
import { MEASURED_EVENT_SHARE } from './measured-copy-profile.js';

/**
 * The one-pass copy of CloudTrail is split in classes of events: the light events the case's hunts
 * name (`named`), the heavy ones they name (`named_heavy`), and the rest (`other`). A few events make
 * most of an account's CloudTrail (the SSM agent's heartbeat, role assumptions, parameter reads), and
 * a hunt naming a rare event whose name hashes to the same bucket as one of them would read it whole.
 * A hunt whose every scan names its events reads only the named classes: the `named` class alone when
 * it names no heavy event, so it never shares a file with one.
 */
export const EVENT_CLASS_COLUMN = 'event_class';
export const NAMED_EVENTS = 'named';
export const HEAVY_NAMED_EVENTS = 'named_heavy';
export const OTHER_EVENTS = 'other';
export const EVENT_CLASSES = [NAMED_EVENTS, HEAVY_NAMED_EVENTS, OTHER_EVENTS] as const;
/**
 * Athena writes at most 100 partitions or buckets per CTAS or INSERT INTO ("HIVE_TOO_MANY_OPEN_PARTITIONS:
 * Exceeded limit of 100 open writers for partitions/buckets",
 * https://docs.aws.amazon.com/athena/latest/ug/ctas-insert-into.html), and the copy is one CTAS:
 * three classes of 33 `eventname` buckets each.
 */
export const MAX_WRITERS_PER_STATEMENT = 100;
export const BUCKETS_PER_CLASS = Math.floor(MAX_WRITERS_PER_STATEMENT / EVENT_CLASSES.length);
/**
 * The events that, by the measured model of the copy (shared/domain/measured-copy-profile.ts), each
 * make more of it than one of its 100 files on average. A case knows its own spread only once its
 * copy exists, after the layout is chosen, so the model decides; it decides cost, never which rows a
 * hunt sees.
 */
export const HEAVY_EVENTS: ReadonlySet<string> = new Set(
  Object.entries(MEASURED_EVENT_SHARE)
    .filter(([, share]) => share > 1 / MAX_WRITERS_PER_STATEMENT)
    .map(([name]) => name),
);
/** The source whose copy is split by event class: the one whose hunts name their events. */
export const CLASSED_SOURCE: LogSourceId = 'cloudtrail';

/**
 * Athena takes at most 262,144 bytes of query text (https://repost.aws/knowledge-center/athena-query-string-length);
 * the names are written into the copy's statement, so they keep to a share of it that leaves room for
 * the rest of the statement and its columns.
 */
export const MAX_NAMED_LIST_BYTES = 100_000;

/** Which named classes a routed hunt reads: `named` alone, or `named` and `named_heavy`. */
export type EventRoute = 'named' | 'named-and-heavy';
export const ROUTE_CLASSES: Record<EventRoute, string[]> = {
  named: [NAMED_EVENTS],
  'named-and-heavy': [NAMED_EVENTS, HEAVY_NAMED_EVENTS],
};

export interface EventClassRouting {
  /** The light event names the routed hunts name (the `named` class), sorted. */
  names: string[];
  /** The heavy event names the routed hunts name (the `named_heavy` class), sorted. */
  heavyNames: string[];
  /** The hunts that read the `named` class alone, sorted. */
  hunts: string[];
  /** The hunts that name a heavy event and read both named classes, sorted. */
  heavyHunts: string[];
}

interface RoutableHunt {
  huntId: string;
  scans: { source: LogSourceId; eventNames: string[] | null }[];
}

/**
 * Which hunts read only named events, and which names those are: a hunt whose every scan reads
 * CloudTrail and names its event names (shared/hunts/hunt-scan.ts). A hunt reading another source,
 * or any scan of any event, reads the whole copy. Hunts are taken in id order while the names fit in
 * MAX_NAMED_LIST_BYTES; a hunt whose names would pass it reads the whole copy, so the split is the
 * same for the same hunts, whoever computes it.
 */
export function eventClassRouting(
  hunts: RoutableHunt[],
  heavy: ReadonlySet<string> = HEAVY_EVENTS,
): EventClassRouting {
  const names = new Set<string>();
  const routing: EventClassRouting = { names: [], heavyNames: [], hunts: [], heavyHunts: [] };
  let bytes = 0;
  for (const hunt of [...hunts].sort((a, b) => a.huntId.localeCompare(b.huntId))) {
    if (hunt.scans.length === 0) continue;
    if (!hunt.scans.every((scan) => scan.source === CLASSED_SOURCE && scan.eventNames !== null)) continue;
    const own = [...new Set(hunt.scans.flatMap((scan) => scan.eventNames ?? []))];
    const added = own.filter((name) => !names.has(name));
    const more = added.reduce((sum, name) => sum + literalBytes(name), 0);
    if (bytes + more > MAX_NAMED_LIST_BYTES) continue;
    bytes += more;
    for (const name of added) names.add(name);
    (own.some((name) => heavy.has(name)) ? routing.heavyHunts : routing.hunts).push(hunt.huntId);
  }
  const sorted = [...names].sort();
  return {
    ...routing,
    names: sorted.filter((name) => !heavy.has(name)),
    heavyNames: sorted.filter((name) => heavy.has(name)),
  };
}

/** The route of a hunt by the case's routing, or null where it reads the whole copy. */
export function routeOf(routing: EventClassRouting, huntId: string): EventRoute | null {
  if (routing.hunts.includes(huntId)) return 'named';
  if (routing.heavyHunts.includes(huntId)) return 'named-and-heavy';
  return null;
}

/** The routes at least one hunt takes: each needs its views. */
export function routesTaken(routing: EventClassRouting): EventRoute[] {
  return [
    ...(routing.hunts.length > 0 ? (['named'] as const) : []),
    ...(routing.heavyHunts.length > 0 ? (['named-and-heavy'] as const) : []),
  ];
}

/** A name as a quoted SQL literal with its separator: its quotes doubled, its UTF-8 bytes counted. */
function literalBytes(name: string): number {
  return new TextEncoder().encode(name.replaceAll("'", "''")).length + 4;
}
