import { describe, expect, it } from 'vitest';
import {
  BUCKETS_PER_CLASS,
  EVENT_CLASSES,
  eventClassRouting,
  HEAVY_EVENTS,
  heavyPattern,
  MAX_NAMED_LIST_BYTES,
  MAX_WRITERS_PER_STATEMENT,
  ROUTE_CLASSES,
  routeOf,
  routesTaken,
  rowPatternKey,
} from '../../../shared/domain/event-classes.js';
import { MEASURED_PATTERN_SHARE } from '../../../shared/domain/measured-copy-profile.js';
import { loadHuntLibrary } from '../../../shared/hunts/hunt-library.js';
import { huntScans } from '../../../shared/hunts/hunt-scan.js';

const trail = (...eventNames: (string[] | null)[]) =>
  eventNames.map((names) => ({ source: 'cloudtrail' as const, eventNames: names }));
/** A CloudTrail scan whose WHERE keeps only flagged rows, naming `names` or not. */
const flagged = (names: string[] | null = null) => ({
  source: 'cloudtrail' as const,
  eventNames: names,
  requiresFlagged: true,
});

describe('which hunts read only the named events', () => {
  it('routes a hunt whose every scan reads CloudTrail and names its events, and puts their names in the class', () => {
    const routing = eventClassRouting([
      { huntId: 'user-created', scans: trail(['CreateUser']) },
      { huntId: 'key-then-policy', scans: trail(['CreateAccessKey'], ['AttachUserPolicy', 'CreateUser']) },
      { huntId: 'any-denied-call', scans: trail(null) },
      { huntId: 'named-then-any', scans: trail(['StopLogging'], null) },
      {
        huntId: 'trail-and-flows',
        scans: [...trail(['RunInstances']), { source: 'vpcflow', eventNames: null }],
      },
      { huntId: 'reads-nothing', scans: [] },
    ]);
    expect(routing).toEqual({
      names: ['AttachUserPolicy', 'CreateAccessKey', 'CreateUser'],
      heavyNames: [],
      patterns: [],
      heavyPatterns: [],
      hunts: ['key-then-policy', 'user-created'],
      heavyHunts: [],
      heavyPatternHunts: [],
      flaggedHunts: [],
    });
    expect(routeOf(routing, 'user-created')).toBe('named');
    expect(routeOf(routing, 'any-denied-call')).toBeNull();
    expect(routesTaken(routing)).toEqual(['named']);
  });

  it('puts a heavy event a hunt names in a class of its own, read only by the hunts naming a heavy event', () => {
    const routing = eventClassRouting(
      [
        { huntId: 'role-from-outside', scans: trail(['AssumeRole', 'CreateUser']) },
        { huntId: 'user-created', scans: trail(['CreateUser']) },
      ],
      new Set(['AssumeRole', 'UpdateInstanceInformation']),
    );
    expect(routing).toEqual({
      names: ['CreateUser'],
      heavyNames: ['AssumeRole'],
      patterns: [],
      heavyPatterns: [],
      hunts: ['user-created'],
      heavyHunts: ['role-from-outside'],
      heavyPatternHunts: [],
      flaggedHunts: [],
    });
    expect(routeOf(routing, 'role-from-outside')).toBe('named-and-heavy');
    expect(routesTaken(routing)).toEqual(['named', 'named-and-heavy']);
  });

  it('routes a hunt whose every scan keeps only flagged rows to the flagged class alone, naming events or not, and adds none of its names', () => {
    const routing = eventClassRouting([
      { huntId: 'denied-burst', scans: [flagged()] },
      { huntId: 'root-key', scans: [flagged(['CreateAccessKey']), flagged()] },
      { huntId: 'denied-then-any', scans: [flagged(), ...trail(null)] },
      {
        huntId: 'denied-and-flows',
        scans: [flagged(), { source: 'vpcflow', eventNames: null, requiresFlagged: true }],
      },
    ]);
    expect(routing).toEqual({
      names: [],
      heavyNames: [],
      patterns: [],
      heavyPatterns: [],
      hunts: [],
      heavyHunts: [],
      heavyPatternHunts: [],
      flaggedHunts: ['denied-burst', 'root-key'],
    });
    expect(routeOf(routing, 'root-key')).toBe('flagged');
    expect(routeOf(routing, 'denied-then-any')).toBeNull();
    expect(routesTaken(routing)).toEqual(['flagged']);
  });

  it('reads the whole copy for a hunt mixing a scan of flagged rows with named ones: the named routes hold only the flagged rows of named events', () => {
    const routing = eventClassRouting([
      { huntId: 'federation-bypass', scans: [...trail(['AssumeRoleWithSAML']), flagged()] },
    ]);
    expect(routeOf(routing, 'federation-bypass')).toBeNull();
    expect(routing.names).toEqual([]);
    expect(ROUTE_CLASSES.named).toEqual(['named', 'named_flagged']);
    expect(ROUTE_CLASSES['named-and-heavy']).toEqual(['named', 'named_heavy', 'named_flagged']);
    expect(ROUTE_CLASSES.flagged).toEqual(['flagged', 'named_flagged']);
  });

  it('routes a hunt limited by patterns to the named classes, a heavy pattern to the route that reads every class but the unrouted rows', () => {
    const deletes = { column: 'eventname', operator: 'regexp_like', pattern: '^(Delete|Terminate)' } as const;
    const reads = { column: 'eventname', operator: 'regexp_like', pattern: '^(List|Describe|Get)' } as const;
    const scan = (eventNames: string[], ...patterns: (typeof deletes | typeof reads)[]) => [
      { source: 'cloudtrail' as const, eventNames, patterns },
    ];
    const routing = eventClassRouting([
      { huntId: 'bulk-deletion', scans: scan([], deletes) },
      { huntId: 'recon', scans: scan([], reads) },
      { huntId: 'deletion-or-user', scans: scan(['CreateUser'], deletes) },
    ]);
    expect(routing).toMatchObject({
      names: ['CreateUser'],
      patterns: [deletes],
      heavyPatterns: [reads],
      hunts: ['bulk-deletion', 'deletion-or-user'],
      heavyPatternHunts: ['recon'],
    });
    expect(routeOf(routing, 'recon')).toBe('heavy-patterns');
    expect(routesTaken(routing)).toEqual(['named', 'heavy-patterns']);
    expect(ROUTE_CLASSES['heavy-patterns']).toEqual(expect.arrayContaining(['flagged', 'named_heavy']));
  });

  it('takes a name pattern as heavy when it matches a heavy event or much of the measured copy, and any other column’s pattern as heavy unless the model measured it', () => {
    const on = (column: string, pattern: string, operator: 'LIKE' | 'regexp_like' = 'regexp_like') => ({
      column,
      operator,
      pattern,
    });
    expect(heavyPattern(on('eventname', '^(Delete|Terminate)'))).toBe(false);
    expect(heavyPattern(on('eventname', 'Delete%', 'LIKE'))).toBe(false);
    expect(heavyPattern(on('eventname', '^Get'))).toBe(true);
    expect(heavyPattern(on('eventname', 'Update%', 'LIKE'))).toBe(true);
    expect(heavyPattern(on('eventname', '(?i)^delete'))).toBe(true);
    // JavaScript takes `[^]` for any character and finds no name; the engine matches GetParameters.
    expect(heavyPattern(on('eventname', '^GetParameter[^]x]'))).toBe(true);
    expect(heavyPattern(on('useragent', 'pacu'))).toBe(true);
  });

  it('weighs the offensive tools’ user-agent pattern by the rows it matched in the measured corpus: light; the same pattern changed is unmeasured, so heavy', async () => {
    const hunt = (await loadHuntLibrary()).find((h) => h.id === 'offensive-tool-user-agent');
    if (!hunt) throw new Error('offensive-tool-user-agent is not in the library');
    const [pattern] = huntScans(hunt).flatMap((scan) => scan.patterns);
    if (!pattern) throw new Error('offensive-tool-user-agent routes on no pattern');
    // Regenerate the model (bench/measured-copy-model.ts) when the hunt's pattern changes.
    expect(MEASURED_PATTERN_SHARE[rowPatternKey(pattern)]).toBeLessThan(1 / MAX_WRITERS_PER_STATEMENT);
    expect(heavyPattern(pattern)).toBe(false);
    expect(heavyPattern({ ...pattern, pattern: `${pattern.pattern}|curl` })).toBe(true);
  });

  it('routes a hunt by its scans of cloudtrail_events alone: its baselines read every event whatever its route', () => {
    const baseline = { source: 'cloudtrail' as const, eventNames: null, baseline: true };
    const routing = eventClassRouting([
      { huntId: 'first-use', scans: [...trail(['CreateFunction']), baseline] },
      { huntId: 'only-baseline', scans: [baseline] },
    ]);
    expect(routeOf(routing, 'first-use')).toBe('named');
    expect(routeOf(routing, 'only-baseline')).toBeNull();
    expect(routing.names).toEqual(['CreateFunction']);
  });

  it('takes as heavy, by default, the events the measured model finds larger than one file of the copy', () => {
    expect([...HEAVY_EVENTS]).toEqual(expect.arrayContaining(['UpdateInstanceInformation', 'AssumeRole']));
    expect(HEAVY_EVENTS.has('StopLogging')).toBe(false);
  });

  it(`keeps the names within ${MAX_NAMED_LIST_BYTES} bytes of SQL, hunt by hunt in id order, whatever order they come in`, () => {
    const hunts = Array.from({ length: 30 }, (_, i) => ({
      huntId: `hunt-${String(i).padStart(2, '0')}`,
      scans: trail([`${String(i).padStart(2, '0')}${'x'.repeat(9_000)}`]),
    }));
    const forward = eventClassRouting(hunts);
    expect(forward).toEqual(eventClassRouting([...hunts].reverse()));
    expect(forward.hunts).toEqual(hunts.slice(0, 11).map((h) => h.huntId));
    const bytes = forward.names.reduce((sum, name) => sum + name.length + 4, 0);
    expect(bytes).toBeLessThanOrEqual(MAX_NAMED_LIST_BYTES);
  });

  it('counts a name with quotes at its escaped length', () => {
    const quoted = "'".repeat(MAX_NAMED_LIST_BYTES / 2);
    expect(eventClassRouting([{ huntId: 'h', scans: trail([quoted]) }]).hunts).toEqual([]);
  });

  it('writes every class of buckets within the writers one statement may open', () => {
    expect(EVENT_CLASSES.length * BUCKETS_PER_CLASS).toBeLessThanOrEqual(MAX_WRITERS_PER_STATEMENT);
    expect(EVENT_CLASSES.length * (BUCKETS_PER_CLASS + 1)).toBeGreaterThan(MAX_WRITERS_PER_STATEMENT);
  });
});
