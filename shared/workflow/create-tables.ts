import {
  type AthenaEstimate,
  DEFAULT_ONE_PASS_MIN_HUNTS,
  estimateAthenaCost,
  type ListedObject,
  onePassSources,
  windowSourceBytes,
} from '../domain/athena-estimate.js';
import type { CaseContext } from '../domain/case.js';
import { caseFiles } from '../domain/case-files.js';
import { type CaseFolderLayout, caseFolderLayout } from '../domain/case-folder-layout.js';
import { narrowInventory } from '../domain/case-scope.js';
import { completeCoverage } from '../domain/coverage.js';
import {
  CLASSED_SOURCE,
  type EventClassRouting,
  type EventRoute,
  eventClassRouting,
  routeOf,
  routesTaken,
} from '../domain/event-classes.js';
import type { HuntDefinition } from '../domain/hunt-definition.js';
import { selectHunts } from '../domain/hunt-selection.js';
import type { Inventory, QuarantinedRecord, SkippedInput, SourceLocation } from '../domain/inventory.js';
import type { ExportOutcome } from '../domain/log-exports.js';
import type { LogSourceId } from '../domain/log-sources.js';
import { MEASURED_CLOUDTRAIL_COPY } from '../domain/measured-copy-profile.js';
import { caseScanBudget, huntsWithinBudget } from '../domain/scan-budget.js';
import { QueryCancelledError, QueryFailedError, QueryTimeoutError } from '../errors.js';
import { huntScans, type SourceScan } from '../hunts/hunt-scan.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { writeCaseFile, writeCaseLines } from '../ports/evidence-store.js';
import { readInventoryWithFiles } from '../ports/inventory-files.js';
import type { ScannedStatement } from '../ports/table-builder.js';
import { logSourceModule } from '../sources/registry.js';
import { storyScans } from '../story/story-route.js';
import { loadCaseHunts } from './case-hunts.js';

export interface TablesStepResult {
  /** Each hunt to run and the route of the copy it reads (null: every event), so no hunt reads tables.json. */
  hunts: { huntId: string; route: EventRoute | null }[];
  tables: string[];
  durationMs: number;
}

/**
 * Makes every found source queryable (the inventory's, and what the export step wrote into the case
 * folder), records what could not be loaded or exported, and picks the hunts to run. The coverage
 * those tables complete goes into `tables.json`; `inventory.json` stays as MergeInventory wrote it.
 */
export async function createTables(
  context: CaseContext,
  exports: ExportOutcome[],
  adapters: CaseAdapters,
): Promise<TablesStepResult> {
  const started = performance.now();
  const files = caseFiles(context.caseId, context.run);
  const inventory = await readInventoryWithFiles(adapters.store, files.inventory);
  // What an export holds is known only once it is classified: sources outside the scope stop here.
  const exported = exports.some((e) => e.status === 'COMPLETED')
    ? narrowInventory(await adapters.inventory.discoverExported(context, exports), context.scope)
    : null;
  const found = { ...inventory, sources: [...inventory.sources, ...(exported?.sources ?? [])] };
  const caseHunts = await loadCaseHunts(context.caseId, adapters);
  const classing = adapters.tables.classesAsItBuilds ? classesOfFound(found, caseHunts.hunts, context) : null;
  const built = await adapters.tables.build(context, found, classing);
  const selection = selectHunts(
    caseHunts.hunts,
    built.tables.map((t) => t.source),
    context.huntIds,
    context.iocs ?? {},
    context.scope?.sources ?? null,
  );
  const skipped = [...exportGaps(inventory, exports), ...(exported?.skipped ?? []), ...built.skipped];
  const chosen = caseHunts.hunts.filter((h) => selection.run.includes(h.id));
  const estimate = await athenaEstimateOfCase(
    [...inventory.sources, ...(exported?.sources ?? [])],
    chosen,
    context,
    adapters,
  );
  if (estimate) await writeCaseFile(adapters.store, files.athenaEstimate, estimate);
  // An Athena budget: the embedded engine bills nothing, so locally every chosen hunt runs.
  const budget =
    context.engine === 'athena' ? caseScanBudget(context.maxScanBytes, adapters.scanBudgetBytes) : null;
  const affordable =
    estimate && budget !== null
      ? huntsWithinBudget(estimate, chosen, budget)
      : { run: selection.run, notRun: [] };
  const running = chosen.filter((h) => affordable.run.includes(h.id)).map(scansOf);
  const copySources = onePassSources(running, minHunts(adapters));
  // The hunts that will run decide the named classes: one left out by the budget adds no names, so the
  // hunts that run read no more than the estimate (made with every chosen hunt) said.
  const routing = eventClassRouting(copySources.has(CLASSED_SOURCE) ? running : []);
  const copied = adapters.tables.copyOnce
    ? await copyOnce(context, adapters, copySources, routing, skipped)
    : { statements: [], sources: [] };
  const statements = [...(built.statements ?? []), ...copied.statements];
  const namedEvents = built.classed?.includes(CLASSED_SOURCE)
    ? classing
    : copied.sources.includes(CLASSED_SOURCE) && routesTaken(routing).length > 0
      ? routing
      : null;
  await writeQuarantine(adapters, caseFolderLayout(context.caseId, context.run), built.quarantined ?? []);
  // Before tables.json, which counts its lines: a tables.json that exists always has its list.
  const filesRead = built.files
    ? await writeCaseLines(adapters.store, files.tables.fileRecords, built.files)
    : null;
  const durationMs = Math.round(performance.now() - started);
  await writeCaseFile(adapters.store, files.tables, {
    tables: built.tables,
    skipped,
    ...(filesRead === null ? {} : { filesRead }),
    exports,
    huntsToRun: affordable.run,
    huntsNotRun: [
      ...selection.notRun,
      ...affordable.notRun,
      ...caseHunts.sigmaErrors.map((e) => ({ huntId: `sigma:${e.file}`, reason: e.error })),
      ...otherSourceRules(caseHunts.sigmaSkipped),
    ],
    coverage: completeCoverage(inventory.coverage ?? [], built.tables),
    ...(statements.length > 0 ? { statements } : {}),
    ...(namedEvents ? { namedEvents } : {}),
    durationMs,
  });
  return {
    hunts: affordable.run.map((huntId) => ({
      huntId,
      route: namedEvents ? routeOf(namedEvents, huntId) : null,
    })),
    tables: built.tables.map((t) => t.table),
    durationMs,
  };
}

/**
 * What the chosen hunts would cost in Athena, from the sizes of the objects their tables read: the
 * inventory's files where it lists every one (a folder of logs), or a listing of the window's S3
 * prefixes. Without either there is no estimate, and no budget can be applied before the hunts run
 * (the workgroup's per-query cutoff still holds).
 */
async function athenaEstimateOfCase(
  locations: SourceLocation[],
  hunts: HuntDefinition[],
  context: CaseContext,
  adapters: CaseAdapters,
): Promise<AthenaEstimate | null> {
  if (locations.length === 0) return null;
  const listing = locations.every((l) => l.files)
    ? { sourceBytes: windowSourceBytes(listedObjects(locations), context.window), complete: true }
    : adapters.listWindow
      ? await adapters.listWindow(locations, context.closedWindow)
      : null;
  if (!listing) return null;
  return estimateAthenaCost({
    sourceBytes: listing.sourceBytes,
    hunts: hunts.map(scansOf),
    onePassMinHunts: minHunts(adapters),
    ...(adapters.pricePerTbUsd === undefined ? {} : { pricePerTbUsd: adapters.pricePerTbUsd }),
    profiles: { cloudtrail: MEASURED_CLOUDTRAIL_COPY },
    listing: {
      complete: listing.complete,
      ...('note' in listing && listing.note ? { note: listing.note } : {}),
    },
  });
}

/** The files the locations list, one at a time, as the estimate counts them: no array of half a million. */
function* listedObjects(locations: SourceLocation[]): Generator<ListedObject> {
  for (const location of locations) {
    for (const file of location.files ?? [])
      yield { source: location.source, key: file.path, size: file.size };
  }
}

/**
 * The event classes of the embedded engine's CloudTrail copy, decided before its tables exist: by the
 * hunts the case would choose over every source the inventory found, and the story's named events (in
 * Athena the story reads every class: its names would make the copy's classes other than the
 * estimate's). A source that then fails to load only drops hunts, and a dropped hunt's names only make
 * the named classes larger, never lose a row.
 */
function classesOfFound(found: Inventory, hunts: HuntDefinition[], context: CaseContext): EventClassRouting {
  const selection = selectHunts(
    hunts,
    [...new Set(found.sources.map((s) => s.source))],
    context.huntIds,
    context.iocs ?? {},
    context.scope?.sources ?? null,
  );
  return eventClassRouting([...hunts.filter((h) => selection.run.includes(h.id)).map(scansOf), storyScans]);
}

/**
 * The one pass, source by source. A copy that fails or outlasts its query timeout costs only itself:
 * the source's view still reads the logs as delivered (it is replaced only after the copy), and the
 * case names the copy it could not make. A throttled or unavailable Athena fails the step for its Retry.
 */
async function copyOnce(
  context: CaseContext,
  adapters: CaseAdapters,
  sources: Iterable<LogSourceId>,
  routing: EventClassRouting,
  skipped: SkippedInput[],
): Promise<{ statements: ScannedStatement[]; sources: LogSourceId[] }> {
  const statements: ScannedStatement[] = [];
  const copied: LogSourceId[] = [];
  for (const source of sources) {
    try {
      statements.push(...((await adapters.tables.copyOnce?.(context, [source], routing)) ?? []));
      copied.push(source);
    } catch (error) {
      if (
        !(
          error instanceof QueryFailedError ||
          error instanceof QueryTimeoutError ||
          error instanceof QueryCancelledError
        )
      )
        throw error;
      skipped.push({
        input: `one-pass copy of ${source}`,
        reason: `not made (${error.message}); its hunts read the logs as delivered`,
        stage: 'tables',
      });
    }
  }
  return { statements, sources: copied };
}

/**
 * A hunt whose SQL the parser cannot read (a Sigma rule's, say) is estimated at its most: every
 * column of each of its sources, every event. An estimate never fails the case.
 */
function scansOrWholeSources(hunt: HuntDefinition): SourceScan[] {
  try {
    return huntScans(hunt);
  } catch {
    return hunt.sources.map((source) => ({
      source,
      columns: logSourceModule(source).columns,
      eventNames: null,
      patterns: [],
      requiresFlagged: false,
      baseline: false,
    }));
  }
}

/** Parsing a hunt's SQL takes tens of milliseconds: once per text and process. */
const parsedScans = new Map<string, SourceScan[]>();

function scansOf(hunt: HuntDefinition) {
  let scans = parsedScans.get(hunt.sql);
  if (!scans) {
    scans = scansOrWholeSources(hunt);
    parsedScans.set(hunt.sql, scans);
  }
  return { huntId: hunt.id, scans };
}

function minHunts(adapters: CaseAdapters): number {
  return adapters.onePassMinHunts ?? DEFAULT_ONE_PASS_MIN_HUNTS;
}

/** One file per source under `quarantine/`, one record a line, so a responder can grep what was set aside. */
async function writeQuarantine(
  adapters: CaseAdapters,
  layout: CaseFolderLayout,
  records: QuarantinedRecord[],
) {
  const bySource = new Map<string, QuarantinedRecord[]>();
  for (const record of records) {
    const list = bySource.get(record.source) ?? [];
    list.push(record);
    bySource.set(record.source, list);
  }
  for (const [source, list] of bySource) {
    const body = list.map((r) => JSON.stringify(r)).join('\n');
    await adapters.store.put(layout.quarantine(source), `${body}\n`, 'application/x-ndjson');
  }
}

/** Sigma rules for other log sources, in one entry: a SigmaHQ checkout would otherwise fill the report. */
function otherSourceRules(skipped: { logsource: string }[]) {
  if (skipped.length === 0) return [];
  const bySource = new Map<string, number>();
  for (const { logsource } of skipped) bySource.set(logsource, (bySource.get(logsource) ?? 0) + 1);
  const top = [...bySource].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const named = top.slice(0, 5).map(([source, n]) => `${n} ${source}`);
  const rest = top.length > 5 ? `, and ${top.length - 5} other log sources` : '';
  return [
    {
      huntId: 'sigma:other-log-sources',
      reason: `${skipped.length} Sigma rule(s) for log sources other than CloudTrail, not run (${named.join('; ')}${rest}); they are kept in sigma/.`,
    },
  ];
}

/** Exports that failed, were partial, or started after the group's retention had already dropped events. */
function exportGaps(inventory: Inventory, exports: ExportOutcome[]): SkippedInput[] {
  const gaps: SkippedInput[] = [];
  for (const item of inventory.exports ?? []) {
    if (item.lostBefore) {
      gaps.push({
        input: `log group ${item.logGroup}`,
        reason: `events before ${item.lostBefore} are past the group's retention and could not be exported`,
        stage: 'export',
      });
    }
  }
  for (const outcome of exports) {
    if (outcome.status !== 'COMPLETED') {
      gaps.push({
        input: `log group ${outcome.logGroup}`,
        reason: `export ${outcome.status}: ${outcome.reason ?? 'no reason given'}`,
        stage: 'export',
      });
    } else if (outcome.reason) {
      gaps.push({ input: `log group ${outcome.logGroup}`, reason: outcome.reason, stage: 'export' });
    }
  }
  return gaps;
}
