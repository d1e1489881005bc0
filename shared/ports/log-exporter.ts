import type { CaseContext } from '../domain/case.js';
import type { ExportStatus, LogGroupExport } from '../domain/log-exports.js';

export interface ExportProgress {
  status: ExportStatus;
  reason: string | null;
}

/**
 * Moves one log group's events for the case window into the case folder, in the CloudWatch Logs
 * export format (gzip text, one `<ISO timestamp> <message>` per line). The workflow polls with
 * Wait states, so `start` returns at once and `progress` is asked until the export ends.
 */
export interface LogExporter {
  start(context: CaseContext, item: LogGroupExport): Promise<{ taskId: string; destination: string }>;
  progress(taskId: string): Promise<ExportProgress>;
}
