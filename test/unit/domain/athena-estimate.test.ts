import { describe, expect, it } from 'vitest';
import {
  bytesPerSourceByte,
  type CopyProfile,
  classesRead,
  type EstimatedScan,
  estimateAthenaCost,
  hiveBucket,
  type ListedObject,
  windowSourceBytes,
} from '../../../shared/domain/athena-estimate.js';
import {
  BUCKETS_PER_CLASS,
  eventClassRouting,
  HEAVY_EVENTS,
  ROUTE_CLASSES,
} from '../../../shared/domain/event-classes.js';

const MB = 2 ** 20;
const GB = 2 ** 30;
const TB = 2 ** 40;
const trail = (day: string, size: number): ListedObject => ({
  source: 'cloudtrail',
  key: `AWSLogs/111122223333/CloudTrail/eu-west-1/${day}/111122223333_CloudTrail_eu-west-1_x.json.gz`,
  size,
});
const scan = (columns: string[], eventNames: string[] | null = null): EstimatedScan => ({
  source: 'cloudtrail',
  columns,
  eventNames,
});

/**
 * Three event names over the copy's 25 buckets per class: "a" hashes to 97 (bucket 17), "AR" to
 * 31 * 65 + 82 = 2097 (bucket 17 too), "b" to 98 (bucket 18); "a" and "b" have flagged rows too.
 * Shares are powers of two, so sums are exact.
 */
const threeEvents: CopyProfile = {
  events: {
    a: { eventname: 1 / 64, eventid: 1 / 32, requestparameters: 1 / 16 },
    AR: { eventname: 1 / 64, eventid: 1 / 4, requestparameters: 1 / 2 },
    b: { eventid: 1 / 8 },
  },
  flagged: {
    a: { eventid: 1 / 128 },
    AR: { eventid: 1 / 1024 },
    b: { eventid: 1 / 256, errorcode: 1 / 512 },
  },
};

// https://aws.amazon.com/athena/pricing/: bytes scanned, rounded up to the megabyte, 10 MB minimum per query, $5 per TB.
describe('what a case would cost in Athena', () => {
  it('bills each scan the compressed size of its source in the window when nothing is copied', () => {
    const estimate = estimateAthenaCost({
      sourceBytes: windowSourceBytes([
        trail('2024/05/01', 300 * GB),
        trail('2024/05/02', 200 * GB + 1),
        { source: 'vpcflow', key: 'f/2024/05/01/a.log.gz', size: 100 * GB },
      ]),
      hunts: [
        { huntId: 'root-account-usage', scans: [scan(['eventname'])] },
        {
          huntId: 'flow-to-known-bad',
          scans: [{ source: 'vpcflow', columns: ['srcaddr'], eventNames: null }, scan(['eventname'])],
        },
      ],
      onePassMinHunts: 3,
      profiles: {},
    });
    expect(estimate.copies).toEqual([]);
    expect(estimate.hunts).toEqual([
      {
        huntId: 'root-account-usage',
        readsCopy: false,
        readsNamedEvents: false,
        bytes: 500 * GB + 1,
        billedBytes: 500 * GB + MB,
        costUsd: ((500 * GB + MB) / TB) * 5,
      },
      {
        huntId: 'flow-to-known-bad',
        readsCopy: false,
        readsNamedEvents: false,
        bytes: 600 * GB + 1,
        billedBytes: 600 * GB + MB,
        costUsd: ((600 * GB + MB) / TB) * 5,
      },
    ]);
    expect(estimate.direct.billedBytes).toBe(1100 * GB + 2 * MB);
    expect(estimate.withOnePass).toEqual(estimate.direct);
  });

  it('with the one pass, reads the logs once, then only the named columns of the named event names’ buckets, of its route’s classes for a routed hunt', () => {
    const logs = 1024 * MB;
    const estimate = estimateAthenaCost({
      sourceBytes: windowSourceBytes([trail('2024/05/01', logs)]),
      hunts: [
        { huntId: 'only-a', scans: [scan(['eventname', 'eventid'], ['a'])] },
        { huntId: 'a-or-b', scans: [scan(['eventid'], ['a', 'b'])] },
        { huntId: 'every-event', scans: [scan(['requestparameters'])] },
        {
          huntId: 'a-and-flows',
          scans: [scan(['eventid'], ['a']), { source: 'vpcflow', columns: ['srcaddr'], eventNames: null }],
        },
        { huntId: 'denied', scans: [{ ...scan(['eventid', 'errorcode']), requiresFlagged: true }] },
      ],
      onePassMinHunts: 3,
      profiles: { cloudtrail: threeEvents },
    });
    expect(estimate.copies).toEqual([
      { source: 'cloudtrail', bytes: logs, billedBytes: logs, costUsd: (logs / TB) * 5 },
    ]);
    expect(
      estimate.hunts.map((h) => [h.huntId, h.bytes, h.readsCopy, h.readsNamedEvents, h.eventClasses]),
    ).toEqual([
      // bucket 17 of the named class holds "a" alone: "AR", which shares its bucket, is no hunt's name;
      // bucket 17 of the named_flagged class holds the flagged rows of "a" (those of "AR" are in `flagged`).
      ['only-a', logs * (1 / 64 + 1 / 32 + 1 / 128), true, true, ['named', 'named_flagged']],
      ['a-or-b', logs * (1 / 32 + 1 / 8 + 1 / 128 + 1 / 256), true, true, ['named', 'named_flagged']],
      ['every-event', logs * (1 / 16 + 1 / 2), true, false, undefined],
      // A hunt reading another source reads every class: bucket 17 there holds "AR" as well.
      ['a-and-flows', logs * (1 / 32 + 1 / 4 + 1 / 128 + 1 / 1024), true, false, undefined],
      // A hunt of failed calls reads every bucket of the two flagged classes, and nothing else.
      ['denied', logs * (1 / 128 + 1 / 1024 + 1 / 256 + 1 / 512), true, false, ['flagged', 'named_flagged']],
    ]);
    expect(estimate.ratioToSource).toBe(
      1 + 7 / 128 + 43 / 256 + 9 / 16 + 37 / 128 + 1 / 1024 + 7 / 512 + 1 / 1024,
    );
    expect(estimate.direct.bytes).toBe(5 * logs);
  });

  it('charges a routed hunt’s baseline (cloudtrail_activity) every class of the copy, and its other scans its route’s', () => {
    const logs = 1024 * MB;
    const estimate = estimateAthenaCost({
      sourceBytes: windowSourceBytes([trail('2024/05/01', logs)]),
      hunts: [
        {
          huntId: 'first-a-since-active',
          scans: [scan(['eventid'], ['a']), { ...scan(['eventname']), baseline: true }],
        },
        { huntId: 'two', scans: [scan(['eventid'], ['b'])] },
        { huntId: 'three', scans: [scan(['eventid'], ['b'])] },
      ],
      onePassMinHunts: 3,
      profiles: { cloudtrail: threeEvents },
    });
    const [baselined] = estimate.hunts;
    expect(baselined?.eventClasses).toEqual(['named', 'named_flagged']);
    // "a" and its flagged rows on the route; the event names of "a" and "AR" (every class) for the baseline.
    expect(baselined?.bytes).toBe(logs * (1 / 32 + 1 / 128 + 1 / 64 + 1 / 64));
  });

  it('copies only a source read by at least the configured number of hunts', () => {
    const estimate = estimateAthenaCost({
      sourceBytes: windowSourceBytes([trail('2024/05/01', 100 * MB)]),
      hunts: [
        { huntId: 'one', scans: [scan(['eventid'])] },
        { huntId: 'two', scans: [scan(['eventid']), scan(['eventid'])] },
      ],
      onePassMinHunts: 3,
      profiles: { cloudtrail: threeEvents },
    });
    expect(estimate.copies).toEqual([]);
    expect(estimate.hunts.map((h) => h.bytes)).toEqual([100 * MB, 200 * MB]);
  });

  it('charges a whole copy per scan for a copied source whose layout was never measured', () => {
    const estimate = estimateAthenaCost({
      sourceBytes: windowSourceBytes([{ source: 'vpcflow', key: 'f/2024/05/01/a.log.gz', size: 100 * MB }]),
      hunts: ['x', 'y'].map((huntId) => ({
        huntId,
        scans: [{ source: 'vpcflow' as const, columns: ['srcaddr'], eventNames: null }],
      })),
      onePassMinHunts: 2,
      profiles: {},
      parquetPerSourceByte: 0.25,
    });
    expect(estimate.hunts.map((h) => h.bytes)).toEqual([25 * MB, 25 * MB]);
  });

  it('bills a query that reads almost nothing the 10 MB minimum', () => {
    const estimate = estimateAthenaCost({
      sourceBytes: windowSourceBytes([trail('2024/05/01', 1000)]),
      hunts: [{ huntId: 'h', scans: [scan(['eventid'])] }],
      onePassMinHunts: 3,
      profiles: {},
    });
    expect(estimate.hunts[0]).toMatchObject({ bytes: 1000, billedBytes: 10 * MB });
  });

  it('leaves out objects whose delivery day is more than a day outside the window', () => {
    const estimate = estimateAthenaCost({
      sourceBytes: windowSourceBytes(
        [
          trail('2024/04/29', 1),
          trail('2024/04/30', 10),
          trail('2024/05/03', 100),
          trail('2024/05/05', 1000),
        ],
        { from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T12:00:00.000Z' },
      ),
      hunts: [{ huntId: 'h', scans: [scan(['eventid'])] }],
      onePassMinHunts: 3,
      profiles: {},
    });
    expect(estimate.sourceBytes).toEqual({ cloudtrail: 110 });
  });

  it('says when the listing behind it was not complete', () => {
    const listing = { complete: false, note: 'listing stopped after 100,000 objects of 4 prefixes' };
    const estimate = estimateAthenaCost({
      sourceBytes: windowSourceBytes([]),
      hunts: [],
      onePassMinHunts: 3,
      profiles: {},
      listing,
    });
    expect(estimate.listing).toEqual(listing);
  });

  it('refuses a negative price and an object without a size', () => {
    const hunts = [{ huntId: 'h', scans: [scan(['eventid'])] }];
    expect(() =>
      estimateAthenaCost({
        sourceBytes: windowSourceBytes([]),
        hunts,
        pricePerTbUsd: -1,
        onePassMinHunts: 3,
        profiles: {},
      }),
    ).toThrow(RangeError);
    expect(() => windowSourceBytes([trail('2024/05/01', Number.NaN)])).toThrow(RangeError);
  });
});

describe('which bucket file Athena reads for an event name', () => {
  it('hashes like Java’s String.hashCode over the UTF-8 bytes, made non-negative, modulo the count', () => {
    // "abc".hashCode() is 96354; "polygenelubricants".hashCode() is Integer.MIN_VALUE (a known Java fact).
    expect(hiveBucket('abc', 100)).toBe(96354 % 100);
    expect(hiveBucket('polygenelubricants', 7)).toBe(0);
    expect(hiveBucket('a', 2)).toBe(1);
    expect(hiveBucket('b', 2)).toBe(0);
  });

  it('reads every bucket for a scan that names no event name, and one bucket per distinct bucket named', () => {
    expect(bytesPerSourceByte(threeEvents, { columns: ['eventid'], eventNames: null })).toBe(
      1 / 32 + 1 / 4 + 1 / 8 + 1 / 128 + 1 / 1024 + 1 / 256,
    );
    expect(bytesPerSourceByte(threeEvents, { columns: ['eventid'], eventNames: ['b', 'b'] })).toBe(
      1 / 8 + 1 / 256,
    );
    expect(bytesPerSourceByte(threeEvents, { columns: ['eventid'], eventNames: ['a'] })).toBe(
      1 / 32 + 1 / 4 + 1 / 128 + 1 / 1024,
    );
  });

  it('lays the test profile out as its comment says', () => {
    expect(['a', 'AR', 'b'].map((name) => hiveBucket(name, BUCKETS_PER_CLASS))).toEqual([17, 17, 18]);
    expect(hiveBucket('AO', BUCKETS_PER_CLASS)).toBe(hiveBucket('AssumeRole', BUCKETS_PER_CLASS));
  });

  it('keeps a heavy named event apart: a light hunt sharing its bucket never reads it, the hunt naming it reads it with the light names of its buckets', () => {
    expect(HEAVY_EVENTS.has('AssumeRole')).toBe(true);
    const logs = 1024 * MB;
    const estimate = estimateAthenaCost({
      sourceBytes: windowSourceBytes([trail('2024/05/01', logs)]),
      hunts: [
        { huntId: 'light', scans: [scan(['eventid'], ['AO'])] },
        { huntId: 'assumed', scans: [scan(['eventid'], ['AssumeRole'])] },
        { huntId: 'third', scans: [scan(['eventid'], ['b'])] },
      ],
      onePassMinHunts: 3,
      profiles: {
        cloudtrail: {
          events: { AO: { eventid: 1 / 32 }, AssumeRole: { eventid: 1 / 2 }, b: { eventid: 1 / 8 } },
          flagged: {},
        },
      },
    });
    expect(estimate.hunts.map((h) => [h.huntId, h.bytes / logs, h.readsNamedEvents])).toEqual([
      ['light', 1 / 32, true],
      ['assumed', 1 / 2 + 1 / 32, true],
      ['third', 1 / 8, true],
    ]);
  });

  it('reads, for a hunt routed to the named events, only the names of that class and their flagged rows in its buckets', () => {
    // "AR" shares bucket 17 with "a", but its flagged rows are in the `flagged` class, not `named_flagged`.
    const named = { flaggedNames: new Set(['a', 'b']), names: new Set(['a', 'b']) };
    expect(
      bytesPerSourceByte(threeEvents, { columns: ['eventid', 'nosuch'], eventNames: ['a'] }, named),
    ).toBe(1 / 32 + 1 / 128);
    expect(bytesPerSourceByte(threeEvents, { columns: ['eventid'], eventNames: ['a', 'b'] }, named)).toBe(
      1 / 32 + 1 / 8 + 1 / 128 + 1 / 256,
    );
  });

  it('reads, for a hunt routed to the flagged class, only its flagged rows, in its buckets when it names events', () => {
    const flagged = { flaggedNames: null, names: new Set<string>() };
    expect(bytesPerSourceByte(threeEvents, { columns: ['eventid'], eventNames: null }, flagged)).toBe(
      1 / 128 + 1 / 1024 + 1 / 256,
    );
    expect(bytesPerSourceByte(threeEvents, { columns: ['errorcode'], eventNames: ['b'] }, flagged)).toBe(
      1 / 512,
    );
    expect(bytesPerSourceByte(threeEvents, { columns: ['eventid'], eventNames: ['AR'] }, flagged)).toBe(
      1 / 128 + 1 / 1024,
    );
  });
});

describe('what the rows of a route are, from the classes it reads', () => {
  const routing = { ...eventClassRouting([]), names: ['a', 'b'], heavyNames: ['AssumeRole'] };
  const sets = (read: ReturnType<typeof classesRead>) => ({
    flaggedNames: read.flaggedNames,
    names: read.names,
  });

  it('reads every flagged row on the flagged route, and the rows of its names, flagged or not, on a named route', () => {
    expect(sets(classesRead(ROUTE_CLASSES.flagged, routing))).toEqual({
      flaggedNames: null,
      names: new Set(),
    });
    expect(sets(classesRead(ROUTE_CLASSES.named, routing))).toEqual({
      flaggedNames: new Set(['a', 'b', 'AssumeRole']),
      names: new Set(['a', 'b']),
    });
    expect(sets(classesRead(ROUTE_CLASSES['named-and-heavy'], routing))).toEqual({
      flaggedNames: new Set(['a', 'b', 'AssumeRole']),
      names: new Set(['a', 'b', 'AssumeRole']),
    });
  });

  it('refuses the flagged class without the flagged rows of named events, which no route reads', () => {
    expect(() => classesRead(['flagged'], routing)).toThrow(RangeError);
  });
});
