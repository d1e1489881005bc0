import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CaseContext } from '../../domain/case.js';
import { caseFolderLayout, exportFolderName } from '../../domain/case-folder-layout.js';
import type { LogGroupExport } from '../../domain/log-exports.js';
import { InvalidRequestError } from '../../errors.js';
import type { EvidenceStore } from '../../ports/evidence-store.js';
import type { ExportProgress, LogExporter } from '../../ports/log-exporter.js';
import { type DumpedLogEvent, parseCloudWatchDump } from '../../sources/cloudwatch-logs-dump.js';

/**
 * The export step on a laptop: a folder of CloudWatch Logs data (CLI output, subscription payloads)
 * is written into the case folder in the format CreateExportTask produces, one gzip file per
 * stream of `<ISO timestamp> <message>` lines, so the same tables and hunts read it.
 */
export class LocalLogExporter implements LogExporter {
  private readonly tasks = new Map<string, Promise<ExportProgress>>();
  private readonly finished = new Map<string, ExportProgress>();

  constructor(private readonly store: EvidenceStore) {}

  async start(context: CaseContext, item: LogGroupExport): Promise<{ taskId: string; destination: string }> {
    if (!item.files || item.files.length === 0) {
      throw new InvalidRequestError(`Log group '${item.logGroup}' has no local files to export.`);
    }
    const taskId = randomUUID();
    const destination = caseFolderLayout(context.caseId, context.run).logGroupExport(item.logGroup);
    const task = this.export(item, `${destination}${taskId}/`).catch((error: Error) => ({
      status: 'FAILED' as const,
      reason: error.message,
    }));
    this.tasks.set(taskId, task);
    void task.then((progress) => this.finished.set(taskId, progress));
    return { taskId, destination };
  }

  async progress(taskId: string): Promise<ExportProgress> {
    if (!this.tasks.has(taskId)) return { status: 'FAILED', reason: `no export task ${taskId}` };
    return this.finished.get(taskId) ?? { status: 'RUNNING', reason: null };
  }

  private async export(item: LogGroupExport, prefix: string): Promise<ExportProgress> {
    const byStream = new Map<string, DumpedLogEvent[]>();
    const problems: string[] = [];
    const from = Date.parse(item.from);
    const to = Date.parse(item.to);
    for (const file of item.files ?? []) {
      try {
        const raw = await readFile(file);
        const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
        for (const event of parseCloudWatchDump(text)) {
          if (event.timestamp < from || event.timestamp > to) continue;
          const stream = event.logStream ?? 'unnamed-stream';
          byStream.set(stream, [...(byStream.get(stream) ?? []), event]);
        }
      } catch (error) {
        problems.push(`${file}: ${(error as Error).message}`);
      }
    }
    if (problems.length === (item.files ?? []).length) {
      return { status: 'FAILED', reason: `no file could be read: ${problems.join('; ')}` };
    }
    for (const [stream, events] of byStream) {
      const lines = events
        .sort((a, b) => a.timestamp - b.timestamp)
        // A message's own line breaks would split it across export lines; CloudWatch's export keeps
        // them, which breaks every line-based reader, so here they become spaces. A lone carriage
        // return counts: Lambda runtimes write it inside multi-line messages.
        .map((e) => `${new Date(e.timestamp).toISOString()} ${e.message.replace(/\r\n|\r|\n/g, ' ')}`);
      await this.store.put(
        `${prefix}${exportFolderName(stream)}/000000.gz`,
        gzipSync(`${lines.join('\n')}\n`),
      );
    }
    return {
      status: 'COMPLETED',
      reason: problems.length > 0 ? `skipped unreadable files: ${problems.join('; ')}` : null,
    };
  }
}
