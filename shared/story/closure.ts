import type { Lineage } from './lineage.js';
import { openingOf } from './open-items.js';
import { type StoryEvent, succeeded, textAt, userKeyOfArn } from './story-event.js';

/**
 * Pivot to closure: from the seed indicators, every round queries what the new indicators did,
 * separates the attacker's part from a legitimate workload sharing the indicator, and takes the keys,
 * users, sessions, outside accounts and addresses that part produced as the next round's indicators,
 * until a round finds nothing new or the round limit is reached.
 */
export type IndicatorKind = 'accessKey' | 'principal' | 'ip' | 'account' | 'userAgent';
/** The kinds a round queries; user agents are recorded only, since common tools are shared by everyone. */
export const queriedKinds: IndicatorKind[] = ['accessKey', 'principal', 'ip', 'account'];

export interface Indicator {
  kind: IndicatorKind;
  value: string;
  round: number;
  /** `seed`: the case's IOCs or findings; `created`: the attacker made it (all its use is theirs); `observed`: seen in the attacker's calls. */
  origin: 'seed' | 'created' | 'observed';
  reason: string;
}

/** What one indicator's query returns: its calls grouped by credential, address and tool. */
export interface ActivityRow {
  accessKeyId: string | null;
  actorArn: string | null;
  issuerArn: string | null;
  identityAccount: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  firstSeen: string;
  lastSeen: string;
  events: number;
}

export interface PhaseSplit {
  indicator: string;
  attackerEvents: number;
  legitimateEvents: number;
  attackerFirstSeen: string | null;
  attackerLastSeen: string | null;
  decision: string;
}

export interface PivotRound {
  round: number;
  queried: string[];
  phases: PhaseSplit[];
  found: Indicator[];
}

export interface Closure {
  rounds: PivotRound[];
  indicators: Indicator[];
  /** Values seen in the logs that are not well-formed indicators (a hostile record can hold anything): never queried. */
  rejected: { kind: IndicatorKind; value: string }[];
  /** True when the last round still found something: the limit, not closure, ended the pivot. */
  stoppedAtLimit: boolean;
  attacker: { keys: string[]; ips: string[]; principals: string[] };
  /** The attacker's calls grouped by credential, address and tool, in time order: the attack's sessions. */
  sessions: ActivityRow[];
}

/** The values of each queried kind a round asks about. */
export type ActivitySubjects = Partial<Record<IndicatorKind, string[]>>;
/** What the subjects did: every row that names at least one of them (one query for every kind). */
export type FetchActivity = (subjects: ActivitySubjects) => Promise<ActivityRow[]>;

/** Who the attacker calls as: their addresses, the keys they created, the principals they created (user keys for users). */
export interface AttackerCallers {
  ips: Set<string>;
  keys: Set<string>;
  principals: Set<string>;
}

/**
 * The story's events with every minting of temporary credentials these callers made: the events hold
 * only the used credentials' mintings until the pivot knows who the attacker is.
 */
export type EventsWithMintingsBy = (callers: AttackerCallers) => Promise<StoryEvent[]>;

export const MAX_ROUNDS = 6;
/** Shapes of the values a round binds: a value from a record that fits none is not an indicator. */
const wellFormed: Record<IndicatorKind, RegExp> = {
  accessKey: /^[A-Z0-9]{16,128}$/,
  principal: /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[!-~]{1,900}$/,
  ip: /^[0-9a-fA-F.:]{2,45}$/,
  account: /^\d{12}$/,
  userAgent: /^[^\r\n]{1,1000}$/,
};
const BASELINE_MS = 24 * 60 * 60 * 1000;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export const indicatorId = (i: { kind: IndicatorKind; value: string }) => `${i.kind}:${i.value}`;

export async function pivotToClosure(
  seeds: Indicator[],
  storyEvents: StoryEvent[],
  lineage: Lineage,
  fetch: FetchActivity,
  withMintingsBy?: EventsWithMintingsBy,
): Promise<Closure> {
  let events = storyEvents;
  const indicators = new Map(seeds.map((s) => [indicatorId(s), s]));
  const queried = new Set<string>();
  const seedIps = new Set(seeds.filter((s) => s.kind === 'ip').map((s) => s.value));
  const attackerIps = new Set(seedIps);
  const attackerKeys = new Set<string>();
  const attackerPrincipals = new Set<string>();
  const rounds: PivotRound[] = [];
  const rejected: Closure['rejected'] = [];
  const sessions = new Map<string, ActivityRow>();

  for (let round = 1; round <= MAX_ROUNDS; round += 1) {
    const pending = [...indicators.values()].filter(
      (i) => queriedKinds.includes(i.kind) && !queried.has(indicatorId(i)),
    );
    if (pending.length === 0) break;
    const phases: PhaseSplit[] = [];
    const attackerRows: ActivityRow[] = [];
    const subjectsOf = (kind: IndicatorKind) => pending.filter((i) => i.kind === kind);
    const rows = await fetch(
      Object.fromEntries(
        queriedKinds
          .filter((k) => subjectsOf(k).length > 0)
          .map((k) => [k, subjectsOf(k).map((s) => s.value)]),
      ),
    );
    for (const kind of queriedKinds) {
      for (const subject of subjectsOf(kind)) {
        queried.add(indicatorId(subject));
        const own = rows.filter((r) => matches(subject, r));
        const split = splitPhases(subject, own, attackerIps);
        phases.push(split.summary);
        attackerRows.push(...split.attacker);
        for (const row of split.attacker)
          sessions.set(JSON.stringify([row.accessKeyId, row.actorArn, row.sourceIp, row.userAgent]), row);
        if (subject.kind === 'accessKey' && split.attacker.length > 0) attackerKeys.add(subject.value);
        if (subject.kind === 'principal' && subject.origin === 'created')
          attackerPrincipals.add(subject.value);
      }
    }

    const found: Indicator[] = [];
    const offer = (
      kind: IndicatorKind,
      value: string | null,
      origin: Indicator['origin'],
      reason: string,
    ) => {
      if (!value) return;
      if (!wellFormed[kind].test(value)) {
        if (rejected.length < 100) rejected.push({ kind, value: value.slice(0, 200) });
        return;
      }
      const candidate = { kind, value, round, origin, reason };
      const known = indicators.get(indicatorId(candidate));
      // What the attacker created is theirs whole, even when their calls showed it first.
      if (known && origin === 'created' && known.origin === 'observed')
        Object.assign(known, { origin, reason });
      if (known) return;
      indicators.set(indicatorId(candidate), candidate);
      found.push(candidate);
    };
    for (const row of attackerRows) {
      if (!isAddress(row.sourceIp)) continue;
      attackerIps.add(row.sourceIp as string);
      offer('ip', row.sourceIp, 'observed', `address of the attacker's calls (${row.firstSeen})`);
    }
    const callers = attackerCallers(attackerIps, attackerPrincipals, indicators);
    if (withMintingsBy) events = await withMintingsBy(callers);
    const byAttacker = callerTest(callers);
    for (const event of events) {
      if (!succeeded(event) || !byAttacker(event)) continue;
      for (const [kind, value, what] of mintedBy(event)) {
        offer(kind, value, 'created', `${what} by ${event.eventName} at ${event.time} (${event.eventId})`);
        if (kind === 'accessKey') attackerKeys.add(value);
        if (kind === 'principal') attackerPrincipals.add(value);
      }
    }
    for (const row of attackerRows) {
      if (!isAddress(row.sourceIp)) continue;
      offer(
        'accessKey',
        row.accessKeyId,
        'observed',
        `key used in the attacker's calls from ${row.sourceIp}`,
      );
      offer(
        'userAgent',
        toolOf(row.userAgent),
        'observed',
        `tool of the attacker's calls from ${row.sourceIp}`,
      );
    }
    // A session the lineage ties to a credential the attacker created (role chaining) is theirs too.
    const created = createdKeysOf(indicators);
    for (const session of lineage.sessions) {
      const from = session.chain.find((c) => created.has(c));
      if (from && session.credential !== from && !session.credential.includes(':')) {
        offer('accessKey', session.credential, 'created', `obtained through ${from} (lineage)`);
        attackerKeys.add(session.credential);
      }
    }
    rounds.push({ round, queried: pending.map(indicatorId), phases, found });
  }

  const last = rounds.at(-1);
  return {
    rounds,
    indicators: [...indicators.values()],
    rejected,
    sessions: [...sessions.values()].sort((a, b) => a.firstSeen.localeCompare(b.firstSeen)),
    stoppedAtLimit:
      rounds.length === MAX_ROUNDS && (last?.found.some((f) => queriedKinds.includes(f.kind)) ?? false),
    attacker: {
      keys: [...attackerKeys].sort(),
      ips: [...attackerIps].sort(),
      principals: [...attackerPrincipals].sort(),
    },
  };
}

/** Whether an event was made by the attacker: from one of their addresses, with a key or as a user they created. */
export function attackerEventTest(
  ips: Set<string>,
  principals: Set<string>,
  indicators: Map<string, Indicator>,
): (event: StoryEvent) => boolean {
  return callerTest(attackerCallers(ips, principals, indicators));
}

export function attackerCallers(
  ips: Set<string>,
  principals: Set<string>,
  indicators: Map<string, Indicator>,
): AttackerCallers {
  return {
    ips: new Set(ips),
    keys: createdKeysOf(indicators),
    principals: new Set([...principals].map((p) => userKeyOfArn(p) ?? p)),
  };
}

function callerTest({ ips, keys, principals }: AttackerCallers): (event: StoryEvent) => boolean {
  return (event) =>
    (event.sourceIp !== null && ips.has(event.sourceIp)) ||
    (event.accessKeyId !== null && keys.has(event.accessKeyId)) ||
    (event.actorArn !== null && principals.has(userKeyOfArn(event.actorArn) ?? event.actorArn));
}

function createdKeysOf(indicators: Map<string, Indicator>): Set<string> {
  return new Set(
    [...indicators.values()]
      .filter((i) => i.kind === 'accessKey' && i.origin === 'created')
      .map((i) => i.value),
  );
}

/** Keys, users, sessions and outside accounts an event brought into being. */
function mintedBy(event: StoryEvent): [IndicatorKind, string, string][] {
  const out: [IndicatorKind, string, string][] = [];
  const credential =
    textAt(event.response, 'credentials', 'accessKeyId') ??
    textAt(event.response, 'accessKey', 'accessKeyId');
  if (credential) out.push(['accessKey', credential, 'credential minted']);
  const userName = textAt(event.request, 'userName');
  if (event.eventName === 'CreateUser' && userName) {
    out.push([
      'principal',
      textAt(event.response, 'user', 'arn') ?? `arn:aws:iam::${event.account}:user/${userName}`,
      'user created',
    ]);
  }
  const session =
    textAt(event.response, 'assumedRoleUser', 'arn') ?? textAt(event.response, 'federatedUser', 'arn');
  if (session) out.push(['principal', session, 'session started']);
  for (const opening of openingOf(event)) {
    for (const account of opening.outsideAccounts ?? []) {
      if (/^\d{12}$/.test(account))
        out.push(['account', account, `outside account given access (${opening.kind})`]);
    }
  }
  return out;
}

function matches(subject: Indicator, row: ActivityRow): boolean {
  switch (subject.kind) {
    case 'accessKey':
      return row.accessKeyId === subject.value;
    case 'principal':
      return row.actorArn === subject.value || row.issuerArn === subject.value;
    case 'ip':
      return row.sourceIp === subject.value;
    case 'account':
      return row.identityAccount === subject.value;
    default:
      return false;
  }
}

/**
 * The attacker's calls among an indicator's. Addresses and created credentials are the attacker's
 * whole. For a seed key or principal that a legitimate workload may share, the addresses it used in
 * its first 24 hours in the window are its baseline; calls from any other address are the attacker's.
 * With less than 48 hours of activity there is no baseline to compare with, and every call counts.
 */
export function splitPhases(
  subject: Indicator,
  rows: ActivityRow[],
  attackerIps: Set<string>,
): { attacker: ActivityRow[]; summary: PhaseSplit } {
  const total = rows.reduce((n, r) => n + r.events, 0);
  const whole = (decision: string) => ({
    attacker: rows,
    summary: {
      indicator: indicatorId(subject),
      attackerEvents: total,
      legitimateEvents: 0,
      ...span(rows),
      decision,
    },
  });
  if (rows.length === 0) return whole('no activity in the window');
  if (subject.kind === 'ip' || subject.kind === 'account')
    return whole(
      `every call from this ${subject.kind === 'ip' ? 'address' : 'account'} counts as the attacker's`,
    );
  if (subject.origin === 'created') return whole('created by the attacker: every call with it is theirs');
  const first = Math.min(...rows.map((r) => Date.parse(r.firstSeen)));
  const last = Math.max(...rows.map((r) => Date.parse(r.lastSeen)));
  if (last - first < 2 * BASELINE_MS) {
    return whole(
      'less than 48 hours of activity in the window: no baseline to tell a legitimate workload apart, every call counts',
    );
  }
  const baselineEnd = first + BASELINE_MS;
  const baseline = new Set(
    rows
      .filter((r) => Date.parse(r.firstSeen) < baselineEnd && r.sourceIp && !attackerIps.has(r.sourceIp))
      .map((r) => r.sourceIp as string),
  );
  const attacker = rows.filter((r) => isAddress(r.sourceIp) && !baseline.has(r.sourceIp as string));
  const attackerEvents = attacker.reduce((n, r) => n + r.events, 0);
  const newAddresses = [...new Set(attacker.map((r) => r.sourceIp))];
  return {
    attacker,
    summary: {
      indicator: indicatorId(subject),
      attackerEvents,
      legitimateEvents: total - attackerEvents,
      ...span(attacker),
      decision:
        `baseline: address${baseline.size === 1 ? '' : 'es'} ${[...baseline].sort().join(', ') || 'none'} used in the first 24 hours ` +
        `(until ${new Date(baselineEnd).toISOString()}); ` +
        (newAddresses.length > 0
          ? `calls from ${newAddresses.join(', ')} (new address${newAddresses.length === 1 ? '' : 'es'}, tools: ${[...new Set(attacker.map((r) => toolOf(r.userAgent)))].join('; ')}) are the attacker's; `
          : 'no call came from a new address; ') +
        `${total - attackerEvents} calls from the baseline addresses are left to the legitimate workload`,
    },
  };
}

function span(rows: ActivityRow[]) {
  const firsts = rows.map((r) => r.firstSeen).sort();
  const lasts = rows.map((r) => r.lastSeen).sort();
  return { attackerFirstSeen: firsts[0] ?? null, attackerLastSeen: lasts.at(-1) ?? null };
}

/** An address a caller used; CloudTrail puts a service name ("lambda.amazonaws.com", "AWS Internal") there for calls AWS makes. */
export function isAddress(value: string | null): boolean {
  if (!value) return false;
  const v4 = IPV4.exec(value);
  if (v4) return v4.slice(1).every((part) => Number(part) <= 255);
  return /^[0-9a-fA-F:]+$/.test(value) && value.includes(':');
}

/** A user agent without the per-command suffixes the AWS CLI and SDKs add, to name the tool. */
export function toolOf(userAgent: string | null): string {
  return (userAgent ?? 'unknown').replace(/\s(command|api)\/\S+/g, '').slice(0, 120);
}
