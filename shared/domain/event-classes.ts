import type { LogSourceId } from './log-sources.js';
import { MEASURED_EVENT_SHARE, MEASURED_PATTERN_SHARE } from './measured-copy-profile.js';

/**
 * The one-pass copy of CloudTrail is split in classes of events: failed calls and calls made with an
 * IAM user's or the root user's credentials (flagged rows) of the events the case's hunts name
 * (`named_flagged`) and of the others (`flagged`), then the other rows of the light events the hunts
 * name (`named`), of the heavy ones they name (`named_heavy`), and the rest (`other`).
 * A few events make most of an account's CloudTrail (the SSM agent's heartbeat, role assumptions,
 * parameter reads), and a hunt naming a rare event whose name hashes to the same bucket as one of
 * them would read it whole.
 * A hunt whose every scan names its events reads only the named classes: the `named` class alone when
 * it names no heavy event, so it never shares a file with one. A hunt whose every scan requires a
 * flagged row (an error code, or an IAM user's or the root user's identity) reads the `flagged` class
 * and `named_flagged`; a named row may be flagged, so the named routes read `named_flagged` too. Keeping
 * the flagged rows of named events apart means a named route never reads the errors of busy events no
 * hunt names (on the bench corpus, denied `GetBucketPolicy` calls are 40 % of the flagged rows).
 */
export const EVENT_CLASS_COLUMN = 'event_class';
export const FLAGGED_EVENTS = 'flagged';
export const NAMED_FLAGGED_EVENTS = 'named_flagged';
export const NAMED_EVENTS = 'named';
export const HEAVY_NAMED_EVENTS = 'named_heavy';
export const OTHER_EVENTS = 'other';
export const EVENT_CLASSES = [
  NAMED_FLAGGED_EVENTS,
  FLAGGED_EVENTS,
  NAMED_EVENTS,
  HEAVY_NAMED_EVENTS,
  OTHER_EVENTS,
] as const;
/**
 * The identity types of calls made with an IAM user's or the root user's own credentials (their
 * long-term access keys and passwords, and the sessions they open with them), as CloudTrail's
 * `userIdentity.type` names them; a role's, a federated user's or a service's calls have other types
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
 */
export const LONG_TERM_IDENTITY_TYPES = ['IAMUser', 'Root'] as const;
/**
 * A row condition a hunt's scan may require besides its event names (shared/hunts/hunt-scan.ts): a
 * `LIKE` or `regexp_like` pattern on a stored column or a struct field (a dotted path), read as
 * `coalesce(<column>, '')`. Rows that match the patterns routed hunts use are written to the named
 * classes with the rows of the names they name.
 */
export interface RowPattern {
  column: string;
  operator: 'LIKE' | 'regexp_like';
  pattern: string;
}

/**
 * A session of a person signed in through IAM Identity Center: its role is one Identity Center
 * creates in each account for a permission set, named `AWSReservedSSO_<permission set>_<suffix>`
 * (https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html), and
 * CloudTrail records it as the session's issuer. Flagged with IAM users and the root user: the calls
 * people make, as opposed to the workloads' roles.
 */
export const SSO_SESSION_PATTERN: RowPattern = {
  column: 'useridentity.sessioncontext.sessionissuer.arn',
  operator: 'LIKE',
  pattern: '%/AWSReservedSSO_%',
};

/** Whether a column path is one rowPatternSql writes: lower-case ASCII names joined by dots. */
export function isRowPatternColumn(path: string): boolean {
  return /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/.test(path);
}

/** A pattern as SQL both engines run over the `cloudtrail` columns; paths and patterns are checked, never pasted raw. */
export function rowPatternSql(p: RowPattern): string {
  if (!isRowPatternColumn(p.column)) throw new RangeError(`'${p.column}' is no column path`);
  const pattern = `'${p.pattern.replaceAll("'", "''")}'`;
  const value = `coalesce(${p.column}, '')`;
  return p.operator === 'LIKE' ? `${value} LIKE ${pattern}` : `regexp_like(${value}, ${pattern})`;
}

/**
 * A flagged row, in SQL both engines run over the `cloudtrail` columns: the call failed with an error
 * code, or a person made it: an IAM user, the root user, or an Identity Center user. It takes
 * precedence over the event name.
 */
export const FLAGGED_CONDITION = `errorcode IS NOT NULL OR useridentity.type IN (${LONG_TERM_IDENTITY_TYPES.map((t) => `'${t}'`).join(', ')}) OR ${rowPatternSql(SSO_SESSION_PATTERN)}`;
/**
 * Athena writes at most 100 partitions or buckets per CTAS or INSERT INTO ("HIVE_TOO_MANY_OPEN_PARTITIONS:
 * Exceeded limit of 100 open writers for partitions/buckets",
 * https://docs.aws.amazon.com/athena/latest/ug/ctas-insert-into.html), and the copy is one CTAS:
 * five classes of 20 `eventname` buckets each.
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

/**
 * Which classes a routed hunt reads: the flagged rows (`flagged` and `named_flagged`), or the named
 * classes (`named`, and `named_heavy` where it names a heavy event) with `named_flagged`, where the
 * flagged rows of the named events went.
 */
export type EventRoute = 'flagged' | 'named' | 'named-and-heavy' | 'heavy-patterns';
export const ROUTE_CLASSES: Record<EventRoute, string[]> = {
  flagged: [FLAGGED_EVENTS, NAMED_FLAGGED_EVENTS],
  named: [NAMED_EVENTS, NAMED_FLAGGED_EVENTS],
  'named-and-heavy': [NAMED_EVENTS, HEAVY_NAMED_EVENTS, NAMED_FLAGGED_EVENTS],
  // A heavy pattern's flagged rows go to `flagged` (see eventClassExpression in
  // shared/aws/athena-one-pass-sql.ts), so `named_flagged`, which every named route reads, stays small.
  'heavy-patterns': [NAMED_EVENTS, HEAVY_NAMED_EVENTS, NAMED_FLAGGED_EVENTS, FLAGGED_EVENTS],
};

export interface EventClassRouting {
  /** The light event names the routed hunts name (the `named` class), sorted. */
  names: string[];
  /** The heavy event names the routed hunts name (the `named_heavy` class), sorted. */
  heavyNames: string[];
  /** The patterns of light rows the routed hunts require (the `named` class), in hunt order. */
  patterns: RowPattern[];
  /** The patterns of heavy rows (the `named_heavy` class), in hunt order. */
  heavyPatterns: RowPattern[];
  /** The hunts that read the `named` route's classes, sorted. */
  hunts: string[];
  /** The hunts that name a heavy event and read the `named-and-heavy` route's classes, sorted. */
  heavyHunts: string[];
  /** The hunts that require a heavy pattern and read the `heavy-patterns` route's classes, sorted. */
  heavyPatternHunts: string[];
  /** The hunts that read the flagged rows alone (the `flagged` route), sorted. */
  flaggedHunts: string[];
}

export interface RoutableHunt {
  huntId: string;
  scans: {
    source: LogSourceId;
    eventNames: string[] | null;
    patterns?: RowPattern[];
    requiresFlagged?: boolean;
    /** Reads every event whatever the route (`cloudtrail_activity`): it has no say in the route. */
    baseline?: boolean;
  }[];
}

/**
 * Which hunts read only some classes, and which names the named classes hold (shared/hunts/hunt-scan.ts
 * tells what each scan requires). A hunt whose every scan reads CloudTrail and requires a flagged row
 * takes the `flagged` route; one whose every scan reads CloudTrail and names its event names takes a
 * named route (ROUTE_CLASSES). A hunt reading another source, or any scan of any event, reads the
 * whole copy. Hunts are taken in id order while the names fit in MAX_NAMED_LIST_BYTES;
 * a hunt whose names would pass it reads the whole copy, so the split is the same for the same hunts,
 * whoever computes it.
 */
export function eventClassRouting(
  hunts: RoutableHunt[],
  heavy: ReadonlySet<string> = HEAVY_EVENTS,
): EventClassRouting {
  const names = new Set<string>();
  const routing: EventClassRouting = {
    names: [],
    heavyNames: [],
    patterns: [],
    heavyPatterns: [],
    hunts: [],
    heavyHunts: [],
    heavyPatternHunts: [],
    flaggedHunts: [],
  };
  let bytes = 0;
  for (const { huntId, scans: all } of [...hunts].sort((a, b) => a.huntId.localeCompare(b.huntId))) {
    if (!all.every((scan) => scan.source === CLASSED_SOURCE)) continue;
    const hunt = { huntId, scans: all.filter((scan) => !scan.baseline) };
    if (hunt.scans.length === 0) continue;
    if (hunt.scans.every((scan) => scan.requiresFlagged)) {
      routing.flaggedHunts.push(hunt.huntId);
      continue;
    }
    // A scan of flagged rows beside named ones needs the flagged rows of every name, which the named
    // routes do not read (only `named_flagged`): such a hunt reads the whole copy.
    if (!hunt.scans.every((scan) => scan.eventNames !== null)) continue;
    const own = [...new Set(hunt.scans.flatMap((scan) => scan.eventNames ?? []))];
    const ownPatterns = uniquePatterns(hunt.scans.flatMap((scan) => scan.patterns ?? []));
    const added = own.filter((name) => !names.has(name));
    const known = [...routing.patterns, ...routing.heavyPatterns];
    const addedPatterns = ownPatterns.filter((p) => !known.some((q) => samePattern(p, q)));
    const more =
      added.reduce((sum, name) => sum + literalBytes(name), 0) +
      addedPatterns.reduce((sum, p) => sum + literalBytes(rowPatternSql(p)), 0);
    if (bytes + more > MAX_NAMED_LIST_BYTES) continue;
    bytes += more;
    for (const name of added) names.add(name);
    // Each pattern is weighed once, when it is added.
    for (const p of addedPatterns)
      (heavyPattern(p, heavy) ? routing.heavyPatterns : routing.patterns).push(p);
    if (ownPatterns.some((p) => routing.heavyPatterns.some((q) => samePattern(p, q))))
      routing.heavyPatternHunts.push(hunt.huntId);
    else if (own.some((name) => heavy.has(name))) routing.heavyHunts.push(hunt.huntId);
    else routing.hunts.push(hunt.huntId);
  }
  const sorted = [...names].sort();
  return {
    ...routing,
    names: sorted.filter((name) => !heavy.has(name)),
    heavyNames: sorted.filter((name) => heavy.has(name)),
  };
}

/**
 * Whether a pattern's rows go to `named_heavy`: it matches a heavy event's name, or event names that
 * together make more of the measured copy than one of its files. A pattern on another column (a user
 * agent, an ARN), or a name pattern JavaScript cannot read, is weighed by the rows it matched in the
 * measured corpus (MEASURED_PATTERN_SHARE); one the model has not measured could match most of a
 * trail, and in `named` it would be read by every named hunt whose buckets it shares, so it is heavy.
 * Either way this decides cost, never which rows a hunt sees.
 */
export function heavyPattern(p: RowPattern, heavy: ReadonlySet<string> = HEAVY_EVENTS): boolean {
  const limit = 1 / MAX_WRITERS_PER_STATEMENT;
  const matches = p.column === 'eventname' ? eventNameMatcher(p) : null;
  if (!matches) {
    const measured = MEASURED_PATTERN_SHARE[rowPatternKey(p)];
    return measured === undefined || measured > limit;
  }
  if ([...heavy].some(matches)) return true;
  const share = Object.entries(MEASURED_EVENT_SHARE).reduce(
    (sum, [name, s]) => sum + (matches(name) ? s : 0),
    0,
  );
  return share > limit;
}

/** A pattern as the key of its measured share: its column, operator and pattern. */
export function rowPatternKey(p: RowPattern): string {
  return `${p.column} ${p.operator} ${p.pattern}`;
}

/**
 * An event-name pattern as a test of a name, for the cost model: SQL LIKE (`%`, `_`) or a regular
 * expression JavaScript reads the same way; null where it may not.
 */
export function eventNameMatcher(p: RowPattern): ((name: string) => boolean) | null {
  if (p.operator === 'LIKE') {
    const source = p.pattern
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replaceAll('%', '.*')
      .replaceAll('_', '.');
    const re = new RegExp(`^${source}$`, 's');
    return (name) => re.test(name);
  }
  // JavaScript reads `[]` as an empty class and `[^]` as any character; the engines read a `]` there as
  // the first member of a class (`[^]x]`: neither `]` nor `x`).
  if (/\(\?|\\[pPQEGZAz]|\[\[:|\[\^?\]/.test(p.pattern)) return null;
  try {
    const re = new RegExp(p.pattern);
    return (name) => re.test(name);
  } catch {
    return null;
  }
}

export function samePattern(a: RowPattern, b: RowPattern): boolean {
  return a.column === b.column && a.operator === b.operator && a.pattern === b.pattern;
}

function uniquePatterns(list: RowPattern[]): RowPattern[] {
  return list.filter((p, i) => list.findIndex((q) => samePattern(p, q)) === i);
}

/** The route of a hunt by the case's routing, or null where it reads the whole copy. */
export function routeOf(routing: EventClassRouting, huntId: string): EventRoute | null {
  if (routing.flaggedHunts.includes(huntId)) return 'flagged';
  if (routing.hunts.includes(huntId)) return 'named';
  if (routing.heavyHunts.includes(huntId)) return 'named-and-heavy';
  if (routing.heavyPatternHunts?.includes(huntId)) return 'heavy-patterns';
  return null;
}

/** The routes at least one hunt takes: each needs its views. */
export function routesTaken(routing: EventClassRouting): EventRoute[] {
  return [
    ...(routing.flaggedHunts.length > 0 ? (['flagged'] as const) : []),
    ...(routing.hunts.length > 0 ? (['named'] as const) : []),
    ...(routing.heavyHunts.length > 0 ? (['named-and-heavy'] as const) : []),
    ...((routing.heavyPatternHunts?.length ?? 0) > 0 ? (['heavy-patterns'] as const) : []),
  ];
}

/** A name as a quoted SQL literal with its separator: its quotes doubled, its UTF-8 bytes counted. */
function literalBytes(name: string): number {
  return new TextEncoder().encode(name.replaceAll("'", "''")).length + 4;
}
