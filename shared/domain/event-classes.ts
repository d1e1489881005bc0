import type { LogSourceId } from './log-sources.js';
import { MEASURED_EVENT_SHARE } from './measured-copy-profile.js';

/**
 * The one-pass copy of CloudTrail is split in two classes of events: the events the case's hunts
 * name (`named`) and the rest (`other`). A few events make most of an account's CloudTrail (the SSM
 * agent's heartbeat, role assumptions), and a hunt that names a rare event whose name hashes to the
 * same bucket as one of them would read it whole. A hunt whose every scan names its events reads only
 * the `named` class, where the heavy events are present only if a hunt names them.
 */
export const EVENT_CLASS_COLUMN = 'event_class';
export const NAMED_EVENTS = 'named';
export const OTHER_EVENTS = 'other';
/**
 * Athena writes at most 100 partitions or buckets per CTAS or INSERT INTO ("HIVE_TOO_MANY_OPEN_PARTITIONS:
 * Exceeded limit of 100 open writers for partitions/buckets",
 * https://docs.aws.amazon.com/athena/latest/ug/ctas-insert-into.html), and the copy is one CTAS:
 * two classes of 50 `eventname` buckets each.
 */
export const MAX_WRITERS_PER_STATEMENT = 100;
export const EVENT_CLASSES = [NAMED_EVENTS, OTHER_EVENTS] as const;
export const BUCKETS_PER_CLASS = MAX_WRITERS_PER_STATEMENT / EVENT_CLASSES.length;
/**
 * The events that, by the measured model of the copy (shared/domain/measured-copy-profile.ts), each
 * make more of it than one of its files on average. A case knows its own spread only once its copy
 * exists, after the layout is chosen, so the model decides.
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

export interface EventClassRouting {
  /** The event names in the `named` class, sorted. */
  names: string[];
  /** The hunts that read only the `named` class, sorted. */
  hunts: string[];
}

interface RoutableHunt {
  huntId: string;
  scans: { source: LogSourceId; eventNames: string[] | null }[];
}

/**
 * Which hunts read only the named events, and which names those are: a hunt whose every scan reads
 * CloudTrail and names its event names (shared/hunts/hunt-scan.ts), none of them a heavy event (one
 * the measured model of the copy finds larger than an average file of it: a routed hunt whose
 * bucket it shared would read it whole). A hunt reading another source, any scan of any event, or a
 * heavy event reads the whole copy. Hunts are taken in id order while the names fit in
 * MAX_NAMED_LIST_BYTES; a hunt whose names would pass it reads the whole copy, so the split is the
 * same for the same hunts, whoever computes it.
 */
export function eventClassRouting(
  hunts: RoutableHunt[],
  heavy: ReadonlySet<string> = HEAVY_EVENTS,
): EventClassRouting {
  const names = new Set<string>();
  const routed: string[] = [];
  let bytes = 0;
  for (const hunt of [...hunts].sort((a, b) => a.huntId.localeCompare(b.huntId))) {
    if (hunt.scans.length === 0) continue;
    if (!hunt.scans.every((scan) => scan.source === CLASSED_SOURCE && scan.eventNames !== null)) continue;
    const own = [...new Set(hunt.scans.flatMap((scan) => scan.eventNames ?? []))];
    if (own.some((name) => heavy.has(name))) continue;
    const added = own.filter((name) => !names.has(name));
    const more = added.reduce((sum, name) => sum + literalBytes(name), 0);
    if (bytes + more > MAX_NAMED_LIST_BYTES) continue;
    bytes += more;
    for (const name of added) names.add(name);
    routed.push(hunt.huntId);
  }
  return { names: [...names].sort(), hunts: routed };
}

/** A name as a quoted SQL literal with its separator: its quotes doubled, its UTF-8 bytes counted. */
function literalBytes(name: string): number {
  return new TextEncoder().encode(name.replaceAll("'", "''")).length + 4;
}
