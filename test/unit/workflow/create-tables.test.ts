import { describe, expect, it } from 'vitest';
import { caseFiles } from '../../../shared/domain/case-files.js';
import { assessCoverage } from '../../../shared/domain/coverage.js';
import type { EventClassRouting } from '../../../shared/domain/event-classes.js';
import type { Inventory } from '../../../shared/domain/inventory.js';
import type { ExportOutcome } from '../../../shared/domain/log-exports.js';
import { QueryFailedError } from '../../../shared/errors.js';
import { readCaseFile, writeCaseFile } from '../../../shared/ports/evidence-store.js';
import { writeInventory } from '../../../shared/ports/inventory-files.js';
import type { LogInventory } from '../../../shared/ports/log-inventory.js';
import type { TableBuilder } from '../../../shared/ports/table-builder.js';
import { createTables } from '../../../shared/workflow/create-tables.js';
import { fakeCaseAdapters, testContext } from '../../support/fake-case-adapters.js';

const files = caseFiles('case-1');
const found: Inventory = {
  discoveredAt: '2024-05-02T08:00:01.000Z',
  sources: [{ source: 'cloudtrail', location: '/logs/trail' }],
  skipped: [],
  notes: [],
  exports: [
    {
      logGroup: 'dump/eks',
      account: null,
      region: null,
      from: '2024-05-01T00:00:00Z',
      to: '2024-05-02T00:00:00Z',
      lostBefore: null,
    },
  ],
};
const exported: ExportOutcome[] = [
  { logGroup: 'dump/eks', status: 'COMPLETED', reason: null, destination: 'case-1/exports/dump-eks/' },
];

/** The inventory found CloudTrail; the export revealed EKS audit logs it could not name beforehand. */
function adapters() {
  const inventory = { ...found, coverage: assessCoverage(found) };
  const logInventory: Partial<LogInventory> = {
    discoverExported: async () => ({
      ...found,
      sources: [{ source: 'eksaudit', location: 'case-1/exports/dump-eks/' }],
      exports: [],
    }),
  };
  const tables: TableBuilder = {
    build: async (_context, seen) => ({
      tables: seen.sources.map((s) => ({
        source: s.source,
        table: s.source,
        locations: [s.location],
        recordCount: 3,
      })),
      skipped: [{ input: '/logs/trail/bad.json', reason: 'not JSON', stage: 'tables' }],
    }),
  };
  return { inventory, adapters: fakeCaseAdapters({ inventory: logInventory as LogInventory, tables }) };
}

describe('createTables', () => {
  it('tables the inventory’s sources and the exported ones, and picks the hunts their sources allow', async () => {
    const { inventory, adapters: a } = adapters();
    await writeCaseFile(a.store, files.inventory, inventory);

    const result = await createTables(testContext, exported, a);

    expect(result.tables).toEqual(['cloudtrail', 'eksaudit']);
    expect(result.hunts.map((h) => h.huntId)).toEqual(
      expect.arrayContaining(['root-account-usage', 'eks-pod-exec-or-attach']),
    );
    expect(result.hunts.map((h) => h.huntId)).not.toContain('vpcflow-port-scan');
    const tables = await readCaseFile(a.store, files.tables);
    expect(tables.huntsNotRun).toContainEqual({
      huntId: 'vpcflow-port-scan',
      reason: 'no readable vpcflow logs for this case',
    });
    expect(tables.skipped).toEqual([{ input: '/logs/trail/bad.json', reason: 'not JSON', stage: 'tables' }]);
  });

  it('files the coverage the tables complete in tables.json, and leaves inventory.json as MergeInventory wrote it', async () => {
    const { inventory, adapters: a } = adapters();
    await writeCaseFile(a.store, files.inventory, inventory);
    const before = a.store.text(files.inventory.key);

    await createTables(testContext, exported, a);

    expect(a.store.text(files.inventory.key)).toBe(before);
    const eksaudit = (await readCaseFile(a.store, files.tables)).coverage.find(
      (c) => c.source === 'eksaudit',
    );
    expect(eksaudit).toMatchObject({ status: 'present', detail: 'read from case-1/exports/dump-eks/' });
    expect(inventory.coverage.find((c) => c.source === 'eksaudit')?.status).toBe('missing');
  });

  it('records a failed export as a skipped input, with its reason', async () => {
    const { inventory, adapters: a } = adapters();
    await writeCaseFile(a.store, files.inventory, inventory);

    await createTables(
      testContext,
      [{ ...exported[0], status: 'FAILED', reason: 'AccessDenied on the bucket' } as ExportOutcome],
      a,
    );

    expect((await readCaseFile(a.store, files.tables)).skipped).toContainEqual({
      input: 'log group dump/eks',
      reason: 'export FAILED: AccessDenied on the bucket',
      stage: 'export',
    });
  });
});

const MB = 2 ** 20;
/** A listed CloudTrail folder of 4 GiB: every hunt that reads it whole costs more than the budget. */
const listed: Inventory = {
  discoveredAt: '2024-05-02T08:00:01.000Z',
  sources: [
    {
      source: 'cloudtrail',
      location: '/logs/trail',
      files: [
        {
          path: '/logs/trail/AWSLogs/1/CloudTrail/eu-west-1/2024/05/01/a.json.gz',
          size: 4096 * MB,
          layout: 'records-object',
          compressed: true,
        },
      ],
    } as Inventory['sources'][number],
  ],
  skipped: [],
  notes: [],
};

describe('createTables with an Athena budget and the one pass', () => {
  const routings: EventClassRouting[] = [];
  function budgeted(copies: string[][]) {
    const tables: TableBuilder = {
      build: async (_context, seen) => ({
        tables: seen.sources.map((s) => ({ source: s.source, table: s.source, locations: [s.location] })),
        skipped: [],
        statements: [{ purpose: 'create the case database', queryId: 'q-1', bytesScanned: 0 }],
      }),
      copyOnce: async (_context, sources, routing) => {
        copies.push(sources);
        routings.push(routing);
        return [{ purpose: 'copy cloudtrail once', queryId: 'q-2', bytesScanned: 4096 * MB }];
      },
    };
    return fakeCaseAdapters({ tables, scanBudgetBytes: 4096 * MB + 700 * MB });
  }

  it('names every hunt left out over the budget, runs the rest, copies the source once and records what it scanned', async () => {
    const copies: string[][] = [];
    const a = budgeted(copies);
    await writeInventory(a.store, files.inventory, { ...listed, coverage: assessCoverage(listed) });

    const result = await createTables({ ...testContext, engine: 'athena', huntIds: null }, [], a);

    const tables = await readCaseFile(a.store, files.tables);
    const estimate = await readCaseFile(a.store, files.athenaEstimate);
    const overBudget = tables.huntsNotRun.filter((h) => h.reason.startsWith("over the case's scan budget"));
    expect(overBudget.length).toBeGreaterThan(0);
    expect(result.hunts.length).toBeGreaterThan(0);
    const ran = new Set(result.hunts.map((h) => h.huntId));
    for (const hunt of overBudget) expect(ran.has(hunt.huntId)).toBe(false);
    const spent =
      estimate.copies.reduce((s, c) => s + c.billedBytes, 0) +
      estimate.hunts.filter((h) => ran.has(h.huntId)).reduce((s, h) => s + h.billedBytes, 0);
    expect(spent).toBeLessThanOrEqual(4096 * MB + 700 * MB);
    expect(copies).toEqual([['cloudtrail']]);
    expect(tables.namedEvents?.hunts.length).toBeGreaterThan(0);
    for (const huntId of tables.namedEvents?.hunts ?? []) expect(ran.has(huntId)).toBe(true);
    for (const huntId of tables.namedEvents?.flaggedHunts ?? []) expect(ran.has(huntId)).toBe(true);
    expect(routings[0]).toEqual(tables.namedEvents);
    // Each hunt is handed its route: no hunt reads tables.json to find it.
    const routeOfHunt = new Map(result.hunts.map((h) => [h.huntId, h.route]));
    expect(routeOfHunt.get('root-account-usage')).toBe('flagged');
    for (const huntId of tables.namedEvents?.hunts ?? []) expect(routeOfHunt.get(huntId)).toBe('named');
    const routed = new Set([
      ...(tables.namedEvents?.hunts ?? []),
      ...(tables.namedEvents?.flaggedHunts ?? []),
      ...(tables.namedEvents?.heavyHunts ?? []),
      ...(tables.namedEvents?.heavyPatternHunts ?? []),
    ]);
    for (const [huntId, route] of routeOfHunt) expect(route === null, huntId).toBe(!routed.has(huntId));
    const readFlaggedOnly = estimate.hunts.filter((h) => h.eventClasses?.join() === 'flagged,named_flagged');
    expect(readFlaggedOnly.map((h) => h.huntId)).toContain('root-account-usage');
    expect(tables.statements).toEqual([
      { purpose: 'create the case database', queryId: 'q-1', bytesScanned: 0 },
      { purpose: 'copy cloudtrail once', queryId: 'q-2', bytesScanned: 4096 * MB },
    ]);
  });
});

describe('createTables on the embedded engine', () => {
  it('runs every chosen hunt whatever the scan budget: nothing is billed', async () => {
    const tables: TableBuilder = {
      build: async (_context, seen) => ({
        tables: seen.sources.map((s) => ({ source: s.source, table: s.source, locations: [s.location] })),
        skipped: [],
      }),
    };
    const a = fakeCaseAdapters({ tables, scanBudgetBytes: 1 });
    await writeInventory(a.store, files.inventory, { ...listed, coverage: assessCoverage(listed) });

    await createTables({ ...testContext, engine: 'duckdb', maxScanBytes: 1, huntIds: null }, [], a);

    const written = await readCaseFile(a.store, files.tables);
    expect((await readCaseFile(a.store, files.athenaEstimate)).hunts.length).toBe(written.huntsToRun.length);
    expect(written.huntsNotRun.filter((h) => h.reason.startsWith("over the case's scan budget"))).toEqual([]);
  });
});

describe('createTables on an engine that classes the events as it builds its tables', () => {
  it('hands the builder the classes of the hunts the case can run, and each hunt the route they give it', async () => {
    const given: (EventClassRouting | null | undefined)[] = [];
    const tables: TableBuilder = {
      classesAsItBuilds: true,
      build: async (_context, seen, classing) => {
        given.push(classing);
        return {
          tables: seen.sources.map((s) => ({ source: s.source, table: s.source, locations: [s.location] })),
          skipped: [],
          classed: ['cloudtrail'],
        };
      },
    };
    const a = fakeCaseAdapters({ tables });
    await writeInventory(a.store, files.inventory, { ...listed, coverage: assessCoverage(listed) });

    const result = await createTables({ ...testContext, engine: 'duckdb', huntIds: null }, [], a);

    const written = await readCaseFile(a.store, files.tables);
    expect(given).toHaveLength(1);
    expect(written.namedEvents).toEqual(given[0]);
    expect(given[0]?.hunts).toContain('iam-user-created');
    const routes = new Map(result.hunts.map((h) => [h.huntId, h.route]));
    expect(routes.get('iam-user-created')).toBe('named');
    expect(routes.get('root-account-usage')).toBe('flagged');
  });

  it('routes no hunt when the builder did not class CloudTrail', async () => {
    const tables: TableBuilder = {
      classesAsItBuilds: true,
      build: async (_context, seen) => ({
        tables: seen.sources.map((s) => ({ source: s.source, table: s.source, locations: [s.location] })),
        skipped: [],
        classed: [],
      }),
    };
    const a = fakeCaseAdapters({ tables });
    await writeInventory(a.store, files.inventory, { ...listed, coverage: assessCoverage(listed) });

    const result = await createTables({ ...testContext, engine: 'duckdb', huntIds: null }, [], a);

    expect((await readCaseFile(a.store, files.tables)).namedEvents).toBeUndefined();
    expect(result.hunts.every((h) => h.route === null)).toBe(true);
  });
});

describe('createTables when the one-pass copy fails', () => {
  it('names the copy it could not make and runs the hunts on the logs as delivered', async () => {
    const tables: TableBuilder = {
      build: async (_context, seen) => ({
        tables: seen.sources.map((s) => ({ source: s.source, table: s.source, locations: [s.location] })),
        skipped: [],
      }),
      copyOnce: async () => {
        throw new QueryFailedError('Athena query q-9 failed: HIVE_TOO_MANY_OPEN_PARTITIONS');
      },
    };
    const a = fakeCaseAdapters({ tables });
    await writeInventory(a.store, files.inventory, {
      ...found,
      exports: [],
      coverage: assessCoverage(found),
    });

    const result = await createTables(testContext, [], a);

    expect(result.hunts.map((h) => h.huntId)).toContain('root-account-usage');
    const written = await readCaseFile(a.store, files.tables);
    expect(written.namedEvents, 'no hunt is routed to views that were never made').toBeUndefined();
    expect(written.skipped).toContainEqual({
      input: 'one-pass copy of cloudtrail',
      reason:
        'not made (Athena query q-9 failed: HIVE_TOO_MANY_OPEN_PARTITIONS); its hunts read the logs as delivered',
      stage: 'tables',
    });
  });
});
