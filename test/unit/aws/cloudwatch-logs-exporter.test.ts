import {
  CloudWatchLogsClient,
  CreateExportTaskCommand,
  DescribeExportTasksCommand,
  type ExportTask,
  InvalidParameterException,
  LimitExceededException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
} from '@aws-sdk/client-cloudwatch-logs';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchLogsExporter } from '../../../shared/aws/cloudwatch-logs-exporter.js';
import { openCaseContext } from '../../../shared/domain/case.js';
import type { LogGroupExport } from '../../../shared/domain/log-exports.js';
import {
  ExportLimitExceededError,
  InvalidRequestError,
  TransientServiceError,
} from '../../../shared/errors.js';

const ACCOUNT = '111122223333';
const TASK_ID = 'cda45419-90ea-4db5-9833-aade86253e66';
const context = openCaseContext(
  { caseId: 'case-42', from: '2024-05-01T00:00:00Z', to: '2024-05-02T00:00:00Z' },
  'athena',
  new Date('2024-05-02T10:00:00Z'),
);
const eksAudit: LogGroupExport = {
  logGroup: '/aws/eks/prod/cluster',
  account: ACCOUNT,
  region: 'eu-west-1',
  from: '2024-05-01T00:00:00.000Z',
  to: '2024-05-02T00:00:00.000Z',
  lostBefore: null,
};

let clients: Map<string, { client: CloudWatchLogsClient; mock: AwsClientStub<CloudWatchLogsClient> }>;

function logs(region: string): AwsClientStub<CloudWatchLogsClient> {
  const entry = clients.get(region);
  if (!entry) throw new Error(`no client for ${region}`);
  return entry.mock;
}

const exporter = () =>
  new CloudWatchLogsExporter({
    bucket: 'casefile-test-casebucket',
    client: (region) => {
      const entry = clients.get(region);
      if (!entry) throw new Error(`the exporter asked for a client in ${region}`);
      return entry.client;
    },
  });

/** An exportTasks entry as DescribeExportTasks returns it (CloudWatch Logs API reference). */
function exportTask(code: string, fields: Partial<ExportTask> = {}): ExportTask {
  return {
    taskId: TASK_ID,
    taskName: 'casefile-case-42-aws-eks-prod-cluster',
    logGroupName: '/aws/eks/prod/cluster',
    from: 1714521600000,
    to: 1714608000000,
    destination: 'casefile-test-casebucket',
    destinationPrefix: 'cases/case-42/exports/aws-eks-prod-cluster',
    status: { code: code as NonNullable<ExportTask['status']>['code'], message: `Export is ${code}` },
    executionInfo: {
      creationTime: 1714644000000,
      ...(code === 'COMPLETED' || code === 'FAILED' ? { completionTime: 1714644060000 } : {}),
    },
    ...fields,
  };
}

beforeEach(() => {
  clients = new Map(
    ['eu-west-1', 'us-east-1'].map((region) => {
      const client = new CloudWatchLogsClient({ region });
      return [region, { client, mock: mockClient(client) }];
    }),
  );
});

describe('CloudWatchLogsExporter.start', () => {
  it('creates an export task of the group for the window into the case folder, in the group region', async () => {
    logs('eu-west-1').on(CreateExportTaskCommand).resolves({ taskId: TASK_ID });

    const started = await exporter().start(context, eksAudit);

    expect(started).toEqual({
      taskId: `eu-west-1/${TASK_ID}`,
      destination: 'case-42/exports/aws-eks-prod-cluster/',
    });
    expect(logs('eu-west-1')).toHaveReceivedCommandTimes(CreateExportTaskCommand, 1);
    expect(logs('eu-west-1').commandCalls(CreateExportTaskCommand)[0]?.args[0].input).toEqual({
      taskName: 'casefile-case-42-aws-eks-prod-cluster',
      logGroupName: '/aws/eks/prod/cluster',
      from: 1714521600000,
      to: 1714608000000,
      destination: 'casefile-test-casebucket',
      destinationPrefix: 'cases/case-42/exports/aws-eks-prod-cluster',
    });
    expect(logs('us-east-1')).not.toHaveReceivedCommand(CreateExportTaskCommand);
  });

  it('keeps the task name within the 512 characters CloudWatch Logs allows', async () => {
    logs('us-east-1').on(CreateExportTaskCommand).resolves({ taskId: TASK_ID });
    const long = { ...eksAudit, region: 'us-east-1', logGroup: `/aws/lambda/${'f'.repeat(500)}` };

    await exporter().start(context, long);

    const input = logs('us-east-1').commandCalls(CreateExportTaskCommand)[0]?.args[0].input;
    expect(input?.taskName?.length).toBeLessThanOrEqual(512);
    expect(input?.logGroupName).toBe(long.logGroup);
  });

  it('reports the account export slot taken (LimitExceededException) as ExportLimitExceededError', async () => {
    logs('eu-west-1')
      .on(CreateExportTaskCommand)
      .rejects(
        new LimitExceededException({
          message: 'Resource limit exceeded.',
          $metadata: { httpStatusCode: 400 },
        }),
      );

    const start = exporter().start(context, eksAudit);

    await expect(start).rejects.toBeInstanceOf(ExportLimitExceededError);
    await expect(start).rejects.toMatchObject({ name: 'ExportLimitExceededError' });
  });

  it.each([
    new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
    new ServiceUnavailableException({ message: 'Service unavailable', $metadata: { httpStatusCode: 503 } }),
  ])('reports $name as TransientServiceError', async (error) => {
    logs('eu-west-1').on(CreateExportTaskCommand).rejects(error);

    await expect(exporter().start(context, eksAudit)).rejects.toBeInstanceOf(TransientServiceError);
  });

  it.each([
    new ResourceNotFoundException({
      message: 'The specified log group does not exist.',
      $metadata: { httpStatusCode: 400 },
    }),
    new InvalidParameterException({
      message:
        'GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation.',
      $metadata: { httpStatusCode: 400 },
    }),
  ])('reports $name as InvalidRequestError naming the group, for the workflow to record', async (error) => {
    logs('eu-west-1').on(CreateExportTaskCommand).rejects(error);

    const start = exporter().start(context, eksAudit);

    await expect(start).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(start).rejects.toThrow(
      `/aws/eks/prod/cluster in eu-west-1 (${error.name}): ${error.message}`,
    );
  });

  it('refuses a group without a region before calling CloudWatch Logs', async () => {
    await expect(exporter().start(context, { ...eksAudit, region: null })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    expect(logs('eu-west-1')).not.toHaveReceivedCommand(CreateExportTaskCommand);
  });
});

describe('CloudWatchLogsExporter.progress', () => {
  it('asks the task region, and reports RUNNING then COMPLETED (whose message is no reason)', async () => {
    logs('eu-west-1')
      .on(DescribeExportTasksCommand)
      .resolvesOnce({ exportTasks: [exportTask('RUNNING')] })
      .resolvesOnce({
        exportTasks: [
          exportTask('COMPLETED', { status: { code: 'COMPLETED', message: 'Completed successfully' } }),
        ],
      });

    expect(await exporter().progress(`eu-west-1/${TASK_ID}`)).toEqual({
      status: 'RUNNING',
      reason: 'Export is RUNNING',
    });
    expect(await exporter().progress(`eu-west-1/${TASK_ID}`)).toEqual({ status: 'COMPLETED', reason: null });
    expect(logs('eu-west-1')).toHaveReceivedCommandWith(DescribeExportTasksCommand, { taskId: TASK_ID });
    expect(logs('us-east-1')).not.toHaveReceivedCommand(DescribeExportTasksCommand);
  });

  it('reports FAILED with the message CloudWatch Logs gives', async () => {
    logs('eu-west-1')
      .on(DescribeExportTasksCommand)
      .resolves({
        exportTasks: [
          exportTask('FAILED', {
            status: {
              code: 'FAILED',
              message: 'Access Denied: check the bucket policy of casefile-test-casebucket',
            },
          }),
        ],
      });

    expect(await exporter().progress(`eu-west-1/${TASK_ID}`)).toEqual({
      status: 'FAILED',
      reason: 'Access Denied: check the bucket policy of casefile-test-casebucket',
    });
  });

  it('follows nextToken when the task is not on the first page', async () => {
    logs('eu-west-1')
      .on(DescribeExportTasksCommand)
      .resolvesOnce({
        exportTasks: [exportTask('COMPLETED', { taskId: 'e5f1a0c2-0000-4000-8000-000000000001' })],
        nextToken: 'page-2',
      })
      .resolvesOnce({ exportTasks: [exportTask('PENDING')] });

    expect(await exporter().progress(`eu-west-1/${TASK_ID}`)).toEqual({
      status: 'PENDING',
      reason: 'Export is PENDING',
    });
    expect(logs('eu-west-1')).toHaveReceivedCommandTimes(DescribeExportTasksCommand, 2);
    expect(logs('eu-west-1')).toHaveReceivedNthCommandWith(DescribeExportTasksCommand, 2, {
      taskId: TASK_ID,
      nextToken: 'page-2',
    });
  });

  it('reports a task CloudWatch Logs does not know as FAILED with a reason', async () => {
    logs('eu-west-1').on(DescribeExportTasksCommand).resolves({ exportTasks: [] });

    expect(await exporter().progress(`eu-west-1/${TASK_ID}`)).toEqual({
      status: 'FAILED',
      reason: expect.stringContaining(`Export task ${TASK_ID} is not known in eu-west-1`),
    });
  });

  it('reports throttling as TransientServiceError, for the workflow to retry the check', async () => {
    logs('eu-west-1')
      .on(DescribeExportTasksCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));

    await expect(exporter().progress(`eu-west-1/${TASK_ID}`)).rejects.toBeInstanceOf(TransientServiceError);
  });

  it('refuses a task id without its region', async () => {
    await expect(exporter().progress(TASK_ID)).rejects.toBeInstanceOf(InvalidRequestError);
  });
});
