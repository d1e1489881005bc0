import { caseFiles } from '../../shared/domain/case-files.js';
import { type EvidenceStore, writeCaseFile } from '../../shared/ports/evidence-store.js';

/**
 * A completed local case's `case.json` for run `run-1`. Its keys are in another order than the
 * schema's, as a step that spreads a record writes them: a manifest must hash case.json as it will
 * be written again, not as the schema orders it.
 */
export async function writeCompletedCase(store: EvidenceStore, caseId: string): Promise<void> {
  await writeCaseFile(store, caseFiles(caseId).caseRecord, {
    timings: { openedAt: '2024-05-01T00:00:00Z', completedAt: '2024-05-01T00:10:00Z' },
    caseFolder: store.locate(`${caseId}/`),
    caseId,
    status: 'COMPLETED',
    runId: 'run-1',
    request: { caseId },
    window: { from: null, to: null },
    closedWindow: { from: '1970-01-01T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z' },
    engine: 'duckdb',
  });
}
