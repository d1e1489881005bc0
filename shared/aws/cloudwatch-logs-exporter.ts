import {
  CloudWatchLogsClient,
  CreateExportTaskCommand,
  DescribeExportTasksCommand,
  type ExportTask,
} from '@aws-sdk/client-cloudwatch-logs';
import type { CaseContext } from '../domain/case.js';
import { caseFolderLayout, exportFolderName } from '../domain/case-folder-layout.js';
import type { ExportStatus, LogGroupExport } from '../domain/log-exports.js';
import { ExportLimitExceededError, InvalidRequestError, TransientServiceError } from '../errors.js';
import type { ExportProgress, LogExporter } from '../ports/log-exporter.js';
import { perRegion } from './regional-clients.js';

export interface CloudWatchLogsExporterOptions {
  client?: (region: string) => CloudWatchLogsClient;
  /** The case bucket. CloudWatch Logs exports only to a bucket in the log group's own region. */
  bucket: string;
  /** Where case folders start in the bucket, as for the evidence store; `cases/` by default. */
  prefix?: string;
}

const EXPORT_STATUSES: readonly ExportStatus[] = [
  'PENDING',
  'RUNNING',
  'PENDING_CANCEL',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
];
const TASK_NAME_LIMIT = 512;
const TRANSIENT = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'InternalServerException',
  'OperationAbortedException',
  'TooManyRequestsException',
]);
const REJECTED = new Set(['ResourceNotFoundException', 'InvalidParameterException']);

/**
 * Exports a log group through CloudWatch Logs export tasks into the case folder:
 * `<prefix><caseId>/exports/<group>/<taskId>/<stream>/000000.gz`. The logs service writes the
 * objects itself, so the case bucket's policy and key policy must admit it (see serverless.yml).
 * Task ids carry their region (`eu-west-1/<id>`) because an export task is known only there.
 */
export class CloudWatchLogsExporter implements LogExporter {
  private readonly clientFor: (region: string) => CloudWatchLogsClient;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: CloudWatchLogsExporterOptions) {
    this.clientFor = perRegion(options.client ?? ((region) => new CloudWatchLogsClient({ region })));
    this.bucket = options.bucket;
    const prefix = options.prefix ?? 'cases/';
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  async start(context: CaseContext, item: LogGroupExport): Promise<{ taskId: string; destination: string }> {
    const region = item.region;
    if (!region) {
      throw new InvalidRequestError(`Log group ${item.logGroup} has no region: it cannot be exported.`);
    }
    const from = Date.parse(item.from);
    const to = Date.parse(item.to);
    if (Number.isNaN(from) || Number.isNaN(to) || from > to) {
      throw new InvalidRequestError(
        `Log group ${item.logGroup} has no valid window to export (${item.from} to ${item.to}).`,
      );
    }
    const destination = caseFolderLayout(context.caseId, context.run).logGroupExport(item.logGroup);
    try {
      const { taskId } = await this.clientFor(region).send(
        new CreateExportTaskCommand({
          taskName: `casefile-${context.caseId}-${exportFolderName(item.logGroup)}`.slice(0, TASK_NAME_LIMIT),
          logGroupName: item.logGroup,
          from,
          to,
          destination: this.bucket,
          destinationPrefix: `${this.prefix}${destination}`.replace(/\/+$/, ''),
        }),
      );
      if (!taskId)
        throw new TransientServiceError(`CreateExportTask for ${item.logGroup} returned no task id.`);
      return { taskId: `${region}/${taskId}`, destination };
    } catch (error) {
      throw startFailure(item.logGroup, region, error);
    }
  }

  async progress(taskId: string): Promise<ExportProgress> {
    const { region, id } = parseTaskId(taskId);
    const client = this.clientFor(region);
    let nextToken: string | undefined;
    try {
      do {
        const page = await client.send(new DescribeExportTasksCommand({ taskId: id, nextToken }));
        const task = page.exportTasks?.find((t) => t.taskId === id);
        if (task) return progressOf(task);
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (error) {
      if (nameOf(error) !== 'ResourceNotFoundException')
        throw transientOr(error, `DescribeExportTasks in ${region}`);
    }
    return {
      status: 'FAILED',
      reason: `Export task ${id} is not known in ${region}: it was never created there, or CloudWatch Logs no longer lists it.`,
    };
  }
}

function parseTaskId(taskId: string): { region: string; id: string } {
  const slash = taskId.indexOf('/');
  if (slash <= 0 || slash === taskId.length - 1) {
    throw new InvalidRequestError(`'${taskId}' is not an export task id of the form <region>/<task id>.`);
  }
  return { region: taskId.slice(0, slash), id: taskId.slice(slash + 1) };
}

function progressOf(task: ExportTask): ExportProgress {
  const code = task.status?.code;
  const reason = task.status?.message ?? null;
  // A completed export's message ("Completed successfully") is no reason: the workflow records reasons as gaps.
  if (code === 'COMPLETED') return { status: code, reason: null };
  if (code && (EXPORT_STATUSES as readonly string[]).includes(code)) return { status: code, reason };
  return {
    status: 'FAILED',
    reason: `CloudWatch Logs reported an unknown export status ${JSON.stringify(code ?? null)}${reason ? `: ${reason}` : ''}.`,
  };
}

function startFailure(logGroup: string, region: string, error: unknown): unknown {
  const name = nameOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'LimitExceededException') {
    return new ExportLimitExceededError(
      `Another export task is active in the account (${region}), so ${logGroup} waits: ${message}`,
      { cause: error },
    );
  }
  if (REJECTED.has(name)) {
    return new InvalidRequestError(
      `CloudWatch Logs refused to export ${logGroup} in ${region} (${name}): ${message}`,
      {
        cause: error,
      },
    );
  }
  return transientOr(error, `CreateExportTask for ${logGroup} in ${region}`);
}

/** Throttling or a service fault that outlasted the SDK's retries is retried by the workflow. */
function transientOr(error: unknown, what: string): unknown {
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (error instanceof Error && (TRANSIENT.has(error.name) || status === 429 || (status ?? 0) >= 500)) {
    return new TransientServiceError(
      `${what} failed after the SDK's retries: ${error.name}: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  return error;
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : '';
}
