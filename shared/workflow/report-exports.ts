import type { NewHits } from '../domain/case-files/new-hits-file.js';
import type { CaseSummary, TimelineEntry } from '../domain/case-files/summary-file.js';
import type { BuiltTable } from '../domain/case-files/tables-file.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import type { HuntResultRecord } from '../domain/hunt-result.js';
import type { ScanCost } from '../domain/scan-cost.js';
import { type EvidenceStore, writeCaseFile } from '../ports/evidence-store.js';
import { attackLayer } from '../report/attack-layer.js';
import type { HuntRow } from '../report/case-timeline.js';
import { renderHtmlReport } from '../report/html/render-html-report.js';
import { reportFacts } from '../report/report-facts.js';
import { timesketchTimeline } from '../report/timesketch-timeline.js';
import type { StoryFiles } from '../story/story-files.js';

export interface ReportExportsInput {
  summary: CaseSummary;
  results: HuntResultRecord[];
  hits: TimelineEntry[];
  rows: ReadonlyMap<string, HuntRow[]>;
  sourcesOf: (huntId: string) => string[];
  tables: BuiltTable[];
  /** `DuckDB v1.5.6`; null where the engine's version is a deployment setting (Athena's workgroup). */
  engineVersion: string | null;
  /** The attack's story (TraceStory), when the case has one: what is still open leads the first screen. */
  story?: StoryFiles;
  /** A re-run's hits that no earlier run had: the page leads with them. */
  newHits?: NewHits;
  /** What the case was estimated to scan, scanned and cost (`scan-cost.json`). */
  scanCost: ScanCost;
}

/**
 * The report for people and for their tools: `report.html`, the ATT&CK Navigator layer and the
 * Timesketch timeline, written through the evidence store so the manifest lists them.
 */
export async function writeReportExports(
  store: EvidenceStore,
  caseId: string,
  input: ReportExportsInput,
  run?: number,
) {
  const layout = caseFolderLayout(caseId, run);
  const rowsOf = (r: HuntResultRecord) => input.rows.get(r.huntId) ?? r.sample;
  const facts = reportFacts(input.summary, input.results, input.hits, rowsOf);
  await store.put(
    layout.reportHtml,
    renderHtmlReport({
      ...input,
      facts,
      rowsOf,
      recordsPerHour: new Map(input.tables.map((t) => [t.source, t.recordsPerHour ?? []])),
    }),
    'text/html; charset=utf-8',
  );
  await writeCaseFile(
    store,
    caseFiles(caseId, run).attackLayer,
    attackLayer(caseId, input.summary.attackVersion, input.results),
  );
  await store.put(layout.timelineCsv, timesketchTimeline(input.hits), 'text/csv; charset=utf-8');
}
