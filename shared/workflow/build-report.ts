import { DEFAULT_PRICE_PER_TB_USD } from '../domain/athena-estimate.js';
import type { CaseContext } from '../domain/case.js';
import { completedCaseRecord } from '../domain/case-files/case-record.js';
import type { TablesCaseFile } from '../domain/case-files/tables-file.js';
import { caseFiles } from '../domain/case-files.js';
import { type CaseFolderLayout, caseFolderLayout } from '../domain/case-folder-layout.js';
import { fromCsv } from '../domain/csv.js';
import type { HuntOutcome, HuntResultRecord } from '../domain/hunt-result.js';
import type { FileRecordCount } from '../domain/inventory.js';
import { scanCostOfCase } from '../domain/scan-cost.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import {
  readCaseFile,
  readCaseFileIfPresent,
  readCaseLines,
  writeCaseFile,
} from '../ports/evidence-store.js';
import type { HuntRow } from '../report/case-timeline.js';
import { newHitsMarkdown } from '../report/render-new-hits.js';
import { renderReport } from '../report/render-report.js';
import { summariseCaseWithHits } from '../report/summarise-case.js';
import { readStoryFiles } from '../story/story-files.js';
import { loadCaseHunts } from './case-hunts.js';
import { failedHuntRecord } from './file-hunt-failure.js';
import { lambdaErrorMessage } from './lambda-error.js';
import { recordNewHits } from './new-hits.js';
import { writeReportExports } from './report-exports.js';

export interface BuildReportInput {
  case: CaseContext;
  hunts: HuntOutcome[];
  timings?: Record<string, number>;
}

/**
 * Files failed hunts, writes `scan-cost.json`, `summary.json`, `report.md`, `report.html`, `attack-layer.json` and
 * `timeline.csv`, and marks the case COMPLETED.
 */
export async function buildReport(input: BuildReportInput, adapters: CaseAdapters) {
  const context = input.case;
  const files = caseFiles(context.caseId, context.run);
  const library = new Map((await loadCaseHunts(context.caseId, adapters)).hunts.map((h) => [h.id, h]));
  const tables = await readCaseFile(adapters.store, files.tables);
  const inventory = await readCaseFile(adapters.store, files.inventory);

  // Every hunt that ran, or failed, is filed in hunts/<id>.json (RunHunt or FileHuntFailure wrote it);
  // one that is not is filed here, with the error its outcome carries if it carries one.
  const results: HuntResultRecord[] = [];
  for (const outcome of input.hunts) {
    const file = files.huntResult(outcome.huntId);
    const filed = await readCaseFileIfPresent(adapters.store, file);
    if (filed) {
      results.push(filed);
    } else {
      const failed = failedHuntRecord(context, outcome.huntId, library.get(outcome.huntId), {
        name: outcome.error ?? 'Error',
        message: outcome.error
          ? lambdaErrorMessage(outcome.cause)
          : 'the hunt failed and its error could not be filed',
      });
      await writeCaseFile(adapters.store, file, failed);
      results.push(failed);
    }
  }

  const scanCost = scanCostOfCase({
    engine: context.engine,
    pricePerTbUsd: adapters.pricePerTbUsd ?? DEFAULT_PRICE_PER_TB_USD,
    estimate: await readCaseFileIfPresent(adapters.store, files.athenaEstimate),
    queries: [
      ...(tables.statements ?? []),
      ...results
        .filter((r) => r.bytesScanned !== null)
        .map((r) => ({ purpose: `hunt ${r.huntId}`, queryId: r.queryId, bytesScanned: r.bytesScanned ?? 0 })),
    ],
  });
  await writeCaseFile(adapters.store, files.scanCost, scanCost);

  const skipped = [...inventory.skipped, ...tables.skipped];
  const layout = caseFolderLayout(context.caseId, context.run);
  const rows = await readFindingRows(adapters, layout, results);
  const { summary, hits } = summariseCaseWithHits({
    caseId: context.caseId,
    engine: context.engine,
    window: context.window,
    tables: tables.tables,
    results,
    huntsNotRun: tables.huntsNotRun,
    ...(context.scope ? { scope: context.scope } : {}),
    skipped,
    coverage: tables.coverage,
    ...(tables.filesRead === undefined
      ? {}
      : { files: await filesWithRecordsSetAside(adapters, files.tables) }),
    rows,
  });
  await writeCaseFile(adapters.store, files.summary, summary);
  const story = await readStoryFiles(adapters.store, layout);
  // A re-run reports what is new first: the hits no earlier run of the case had.
  const newHits = isRerun(context) ? await recordNewHits(adapters.store, context, results, rows) : undefined;
  const report = renderReport(summary, results, story, scanCost);
  await adapters.store.put(
    layout.report,
    newHits ? withSectionFirst(report, newHitsMarkdown(newHits)) : report,
    'text/markdown; charset=utf-8',
  );
  await writeReportExports(
    adapters.store,
    context.caseId,
    {
      ...(newHits ? { newHits } : {}),
      summary,
      results,
      hits,
      rows,
      sourcesOf: (huntId) => library.get(huntId)?.sources ?? [],
      tables: tables.tables,
      engineVersion: await engineVersion(adapters),
      scanCost,
      ...(story ? { story } : {}),
    },
    context.run,
  );

  const opened = await readCaseFile(adapters.store, files.caseRecord);
  await writeCaseFile(
    adapters.store,
    files.caseRecord,
    completedCaseRecord(
      opened,
      summary,
      skipped,
      {
        ...input.timings,
        huntsMs: results.reduce((sum, r) => sum + r.durationMs, 0),
        completedAt: adapters.now().toISOString(),
      },
      newHits?.newHits.length,
    ),
  );
  return {
    status: 'COMPLETED',
    findings: summary.findings.length,
    failedHunts: summary.hunts.failed,
    skipped: skipped.length,
  };
}

/** Every row of each finding's CSV: the timeline reads them all, not the first few. */
async function readFindingRows(
  adapters: CaseAdapters,
  layout: CaseFolderLayout,
  results: HuntResultRecord[],
) {
  const rows = new Map<string, HuntRow[]>();
  for (const r of results) {
    if (r.status !== 'SUCCEEDED' || r.rowCount === 0 || !r.resultsFile) continue;
    const { rows: read } = fromCsv(
      new TextDecoder().decode(await adapters.store.get(layout.huntRows(r.huntId))),
    );
    rows.set(
      r.huntId,
      read.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === '' ? null : v]))),
    );
  }
  return rows;
}

function isRerun(context: CaseContext): context is CaseContext & { run: number } {
  return (context.run ?? 1) > 1;
}

/** The report with a section placed right under its title. */
function withSectionFirst(report: string, section: string[]): string {
  const [title, ...rest] = report.split('\n');
  return [title, '', ...section, ...rest].join('\n');
}

/**
 * The embedded engine's version, for the report's "how to reproduce". Athena's engine version is
 * the workgroup's setting; asking it would bill a query, so the report names the workgroup instead.
 * An engine that cannot answer (the one every hunt just failed on) leaves the version unnamed: the
 * report of a case whose hunts all failed is the one most needed.
 */
async function engineVersion(adapters: CaseAdapters): Promise<string | null> {
  if (adapters.engine.name !== 'duckdb') return null;
  try {
    const { rows } = await adapters.engine.run('SELECT version() AS version');
    return rows[0]?.version ? `DuckDB ${rows[0].version}` : null;
  } catch {
    return null;
  }
}

/**
 * The files with records set aside or values read as NULL, read from `file-records.jsonl` a line at a
 * time: the summary names only those, and a case of half a million files holds only them.
 */
async function filesWithRecordsSetAside(adapters: CaseAdapters, tables: TablesCaseFile) {
  const found: FileRecordCount[] = [];
  for await (const counted of readCaseLines(adapters.store, tables.fileRecords)) {
    if (counted.quarantined > 0 || counted.nulledValues > 0) found.push(counted);
  }
  return found;
}
