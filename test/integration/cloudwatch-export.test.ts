import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  CloudWatchLogsClient,
  CreateExportTaskCommand,
  DescribeExportTasksCommand,
  LimitExceededException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchLogsExporter } from '../../shared/aws/cloudwatch-logs-exporter.js';
import type { CaseContext } from '../../shared/domain/case.js';
import type { ExportOutcome } from '../../shared/domain/log-exports.js';
import { FolderInventory } from '../../shared/local/adapters/folder-inventory.js';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';
import type { LogInventory } from '../../shared/ports/log-inventory.js';
import { fixtureData } from '../support/fixture-data.js';

// Stratus Red Team detonation logs: DataDog/stratus-red-team, Apache-2.0.
const stratusStop = fixtureData('stratus-red-team/records_gz/aws.defense-evasion.cloudtrail-stop.json.gz');

const audit = (verb: string, resource: string, extra: Record<string, unknown> = {}) => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'RequestResponse',
  auditID: `${verb}-${resource}-${Math.random().toString(16).slice(2, 10)}`,
  stage: 'ResponseComplete',
  requestURI: `/api/v1/namespaces/payments/${resource}`,
  verb,
  user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
  sourceIPs: ['203.0.113.45'],
  userAgent: 'kubectl/v1.29.3 (linux/amd64) kubernetes/6813625',
  objectRef: { resource, namespace: 'payments', name: 'api-7f9c', apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 201 },
  requestReceivedTimestamp: '2024-07-31T13:10:00.000000Z',
  stageTimestamp: '2024-07-31T13:10:00.100000Z',
  annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  ...extra,
});

/** What `aws logs filter-log-events --log-group-name /aws/eks/prod/cluster` prints. */
function filterLogEventsOutput(events: object[]): string {
  return JSON.stringify({
    events: events.map((event, i) => ({
      logStreamName: 'kube-apiserver-audit-5d2c1e0f',
      timestamp: Date.parse('2024-07-31T13:10:00Z') + i * 1000,
      message: JSON.stringify(event),
      ingestionTime: Date.parse('2024-07-31T13:10:05Z') + i * 1000,
      eventId: `3785${i}`,
    })),
    searchedLogStreams: [],
  });
}

async function logsFolder(): Promise<string> {
  const logs = await mkdtemp(join(tmpdir(), 'casefile-cwl-'));
  await writeFile(join(logs, 'trail.json.gz'), await readFile(stratusStop));
  await mkdir(join(logs, 'cloudwatch'));
  const exec = audit('create', 'pods', {
    objectRef: {
      resource: 'pods',
      subresource: 'exec',
      namespace: 'payments',
      name: 'api-7f9c',
      apiVersion: 'v1',
    },
    requestURI: '/api/v1/namespaces/payments/pods/api-7f9c/exec?command=sh&stdin=true&tty=true',
  });
  await writeFile(
    join(logs, 'cloudwatch', 'eks-prod-cluster.json'),
    filterLogEventsOutput([exec, audit('list', 'secrets')]),
  );
  return logs;
}

describe('CloudWatch-only EKS audit logs in a folder of evidence', () => {
  it('are exported into the case folder, tabled, and found by the EKS hunts', async () => {
    const logs = await logsFolder();
    const out = await mkdtemp(join(tmpdir(), 'casefile-cwl-cases-'));
    const outcome = await runInvestigationLocally({ logs, out, request: { caseId: 'eks-export' } });

    const exportRoot = join(outcome.caseFolder, 'exports', 'cloudwatch-eks-prod-cluster');
    const files = (await readdir(exportRoot, { recursive: true })).filter((f) => f.endsWith('.gz'));
    expect(files).toHaveLength(1);
    const lines = gunzipSync(await readFile(join(exportRoot, files[0] ?? '')))
      .toString('utf8')
      .trimEnd()
      .split('\n');
    expect(lines[0]).toMatch(/^2024-07-31T13:10:00\.000Z \{"kind":"Event"/);

    const tables = JSON.parse(await readFile(join(outcome.caseFolder, 'tables.json'), 'utf8'));
    expect(tables.exports).toEqual([
      expect.objectContaining({ logGroup: 'cloudwatch/eks-prod-cluster', status: 'COMPLETED' }),
    ]);
    expect(
      tables.tables.map((t: { source: string; recordCount: number }) => [t.source, t.recordCount]),
    ).toEqual(
      expect.arrayContaining([
        ['cloudtrail', expect.any(Number)],
        ['eksaudit', 2],
      ]),
    );
    const exec = JSON.parse(
      await readFile(join(outcome.caseFolder, 'hunts', 'eks-pod-exec-or-attach.json'), 'utf8'),
    );
    expect(exec).toMatchObject({ status: 'SUCCEEDED', rowCount: 1 });
    // The inventory could not name the dump's source; the tables built from the export could.
    const eksaudit = (c: { source: string }) => c.source === 'eksaudit';
    expect(tables.coverage.find(eksaudit)).toMatchObject({ status: 'present' });
    const inventory = JSON.parse(await readFile(join(outcome.caseFolder, 'inventory.json'), 'utf8'));
    expect(inventory.coverage.find(eksaudit)).toMatchObject({ status: 'missing' });
  });
});

/** `aws logs filter-log-events` output of several streams: `[stream, message][]`, a second apart. */
function streamsOutput(events: [stream: string, message: string][]): string {
  return JSON.stringify({
    events: events.map(([logStreamName, message], i) => ({
      logStreamName,
      timestamp: Date.parse('2024-07-31T13:10:00Z') + i * 1000,
      message,
      ingestionTime: Date.parse('2024-07-31T13:10:05Z') + i * 1000,
      eventId: `4785${i}`,
    })),
    searchedLogStreams: [],
  });
}

describe('CloudWatch-only flow logs, WAF logs and a whole EKS control plane in a folder of evidence', () => {
  it('are exported stream by stream, each source recognised in its export and tabled', async () => {
    const logs = await mkdtemp(join(tmpdir(), 'casefile-cwl-sources-'));
    await writeFile(join(logs, 'trail.json.gz'), await readFile(stratusStop));
    await mkdir(join(logs, 'cloudwatch'));
    // https://docs.aws.amazon.com/eks/latest/userguide/api-server-flags.html: one stream per component.
    await writeFile(
      join(logs, 'cloudwatch', 'eks-prod-cluster.json'),
      streamsOutput([
        [
          'authenticator-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
          'time="2024-07-31T13:10:00Z" level=info msg="access granted"',
        ],
        [
          'cloud-controller-manager-1b2c3d4e5f60718293a4b5c6d7e8f90',
          'I0731 13:10:01.000000 1 node_controller.go:431] Initializing node',
        ],
        [
          'kube-apiserver-2c3d4e5f60718293a4b5c6d7e8f90a1',
          'I0731 13:10:02.000000 10 controller.go:615] quota admission added evaluator',
        ],
        ['kube-apiserver-audit-3d4e5f60718293a4b5c6d7e8f90a1b2', JSON.stringify(audit('list', 'secrets'))],
        [
          'kube-scheduler-4e5f60718293a4b5c6d7e8f90a1b2c3',
          'I0731 13:10:04.000000 10 schedule_one.go:252] "Successfully bound pod"',
        ],
        ['kube-apiserver-audit-5f60718293a4b5c6d7e8f90a1b2c3d4', JSON.stringify(audit('create', 'pods'))],
      ]),
    );
    const start = Date.parse('2024-07-31T13:10:00Z') / 1000;
    await writeFile(
      join(logs, 'cloudwatch', 'vpc-flow-logs.json'),
      streamsOutput([
        [
          'eni-0a1b2c3d4e5f60001-all',
          `2 111122223333 eni-0a1b2c3d4e5f60001 10.0.1.15 203.0.113.77 49152 443 6 10 840 ${start} ${start + 60} ACCEPT OK`,
        ],
        [
          'eni-0a1b2c3d4e5f60002-all',
          `2 111122223333 eni-0a1b2c3d4e5f60002 198.51.100.99 10.0.2.20 51515 22 6 3 180 ${start} ${start + 60} REJECT OK`,
        ],
      ]),
    );
    const waf = (clientIp: string, action: string) =>
      JSON.stringify({
        timestamp: Date.parse('2024-07-31T13:10:00Z'),
        formatVersion: 1,
        webaclId: 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/shop/a1b2c3d4',
        terminatingRuleId: 'Default_Action',
        terminatingRuleType: 'REGULAR',
        action,
        httpSourceName: 'ALB',
        httpRequest: {
          clientIp,
          country: 'NL',
          headers: [],
          uri: '/',
          args: '',
          httpVersion: 'HTTP/1.1',
          httpMethod: 'GET',
        },
      });
    await writeFile(
      join(logs, 'cloudwatch', 'aws-waf-logs-shop.json'),
      streamsOutput([
        ['eu-west-1_shop_0', waf('198.51.100.23', 'ALLOW')],
        ['eu-west-1_shop_1', waf('203.0.113.77', 'BLOCK')],
      ]),
    );
    const out = await mkdtemp(join(tmpdir(), 'casefile-cwl-sources-cases-'));

    const outcome = await runInvestigationLocally({ logs, out, request: { caseId: 'cwl-sources' } });

    const tables = JSON.parse(await readFile(join(outcome.caseFolder, 'tables.json'), 'utf8'));
    expect(tables.exports.map((e: ExportOutcome) => [e.logGroup, e.status]).sort()).toEqual([
      ['cloudwatch/aws-waf-logs-shop', 'COMPLETED'],
      ['cloudwatch/eks-prod-cluster', 'COMPLETED'],
      ['cloudwatch/vpc-flow-logs', 'COMPLETED'],
    ]);
    const counts = Object.fromEntries(
      tables.tables.map((t: { source: string; recordCount: number }) => [t.source, t.recordCount]),
    );
    expect(counts).toMatchObject({ eksaudit: 2, vpcflow: 2, waf: 2 });
    // The other control-plane streams are named as unread, each with its reason; the audit streams are not among them.
    const unread = tables.skipped.filter((s: { input: string }) =>
      s.input.includes('cloudwatch-eks-prod-cluster'),
    );
    expect(unread.map((s: { input: string }) => s.input.split('/').at(-2)).sort()).toEqual([
      'authenticator-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      'cloud-controller-manager-1b2c3d4e5f60718293a4b5c6d7e8f90',
      'kube-apiserver-2c3d4e5f60718293a4b5c6d7e8f90a1',
      'kube-scheduler-4e5f60718293a4b5c6d7e8f90a1b2c3',
    ]);
  });
});

describe('the export loop against CloudWatch Logs', () => {
  const cloudwatch = mockClient(CloudWatchLogsClient);
  afterEach(() => cloudwatch.reset());

  /** The folder inventory, with the region an AWS inventory would have found each group in. */
  function inventoryInRegion(logs: string, out: string): LogInventory {
    const folder = new FolderInventory(logs, { caseStoreRoot: out });
    return {
      accounts: async () => ['111122223333'],
      discover: async (context: CaseContext) => {
        const found = await folder.discover(context);
        return {
          ...found,
          exports: (found.exports ?? []).map((e) => ({ ...e, account: '111122223333', region: 'eu-west-1' })),
        };
      },
      discoverExported: (context: CaseContext, exports: ExportOutcome[]) =>
        folder.discoverExported(context, exports),
    };
  }

  async function investigate(caseId: string, extraGroups = 0) {
    const logs = await logsFolder();
    for (let i = 0; i < extraGroups; i += 1) {
      await writeFile(
        join(logs, 'cloudwatch', `lambda-fn-${i}.json`),
        filterLogEventsOutput([audit('get', 'pods')]),
      );
    }
    const out = await mkdtemp(join(tmpdir(), 'casefile-cwl-aws-'));
    const outcome = await runInvestigationLocally({
      logs,
      out,
      request: { caseId },
      testing: {
        noRetryDelay: true,
        adapters: {
          inventory: inventoryInRegion(logs, out),
          exporter: new CloudWatchLogsExporter({
            client: () => new CloudWatchLogsClient({ region: 'eu-west-1' }),
            bucket: 'case-bucket',
          }),
        },
      },
    });
    const tables = JSON.parse(await readFile(join(outcome.caseFolder, 'tables.json'), 'utf8'));
    const caseFile = JSON.parse(await readFile(join(outcome.caseFolder, 'case.json'), 'utf8'));
    return { tables, caseFile };
  }

  it('polls a RUNNING task until it is COMPLETED, following DescribeExportTasks pages', async () => {
    cloudwatch.on(CreateExportTaskCommand).resolves({ taskId: 'task-eks' });
    cloudwatch
      .on(DescribeExportTasksCommand)
      .resolvesOnce({
        exportTasks: [{ taskId: 'task-eks', status: { code: 'RUNNING', message: 'Started' } }],
      })
      .resolvesOnce({
        exportTasks: [{ taskId: 'someone-else', status: { code: 'RUNNING' } }],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        exportTasks: [
          { taskId: 'task-eks', status: { code: 'COMPLETED', message: 'Completed successfully' } },
        ],
      });
    const { tables, caseFile } = await investigate('export-running-then-completed');
    expect(tables.exports).toEqual([
      expect.objectContaining({ status: 'COMPLETED', logGroup: 'cloudwatch/eks-prod-cluster' }),
    ]);
    expect(cloudwatch).toHaveReceivedCommandWith(CreateExportTaskCommand, {
      logGroupName: 'cloudwatch/eks-prod-cluster',
      destination: 'case-bucket',
      destinationPrefix: 'cases/export-running-then-completed/exports/cloudwatch-eks-prod-cluster',
    });
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeExportTasksCommand, {
      taskId: 'task-eks',
      nextToken: 'page-2',
    });
    expect(caseFile.status).toBe('COMPLETED');
  });

  it("waits out another export holding the account's slot, then exports", async () => {
    cloudwatch
      .on(CreateExportTaskCommand)
      .rejectsOnce(new LimitExceededException({ message: 'Resource limit exceeded.', $metadata: {} }))
      .rejectsOnce(new LimitExceededException({ message: 'Resource limit exceeded.', $metadata: {} }))
      .resolves({ taskId: 'task-after-wait' });
    cloudwatch
      .on(DescribeExportTasksCommand)
      .resolves({ exportTasks: [{ taskId: 'task-after-wait', status: { code: 'COMPLETED' } }] });
    const { tables } = await investigate('export-after-limit');
    expect(cloudwatch).toHaveReceivedCommandTimes(CreateExportTaskCommand, 3);
    expect(tables.exports[0]).toMatchObject({ status: 'COMPLETED' });
  });

  it('records a FAILED export with its reason, and the case goes on', async () => {
    cloudwatch.on(CreateExportTaskCommand).resolves({ taskId: 'task-failed' });
    cloudwatch.on(DescribeExportTasksCommand).resolves({
      exportTasks: [
        { taskId: 'task-failed', status: { code: 'FAILED', message: 'Access denied to the bucket' } },
      ],
    });
    const { tables, caseFile } = await investigate('export-failed');
    expect(tables.exports[0]).toMatchObject({ status: 'FAILED', reason: 'Access denied to the bucket' });
    expect(caseFile.status).toBe('COMPLETED');
    expect(caseFile.skipped).toEqual(
      expect.arrayContaining([
        {
          input: 'log group cloudwatch/eks-prod-cluster',
          reason: 'export FAILED: Access denied to the bucket',
          stage: 'export',
        },
      ]),
    );
  });

  it('exports several groups one after the other', async () => {
    let running = 0;
    let overlapping = false;
    cloudwatch.on(CreateExportTaskCommand).callsFake((input: { logGroupName: string }) => {
      if (running > 0) overlapping = true;
      running += 1;
      return { taskId: `task-${input.logGroupName}` };
    });
    cloudwatch.on(DescribeExportTasksCommand).callsFake((input: { taskId: string }) => {
      running -= 1;
      return { exportTasks: [{ taskId: input.taskId, status: { code: 'COMPLETED' } }] };
    });
    const { tables } = await investigate('several-groups', 2);
    expect(tables.exports.map((e: ExportOutcome) => e.status)).toEqual([
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
    ]);
    expect(overlapping).toBe(false);
  });
});

describe('CloudWatch-only Lambda logs in a folder of evidence', () => {
  const requestId = '6f0c2a9e-3b1d-4c7e-8a5f-2d9b4e1c7a30';
  const stream = '2024/07/31/[$LATEST]9c1e4b7a2d3f4e5a8b6c0d1e2f3a4b5c';

  /** What `aws logs filter-log-events --log-group-name /aws/lambda/payments-api` prints: messages keep their line breaks. */
  function lambdaFilterLogEvents(): string {
    const messages = [
      `START RequestId: ${requestId} Version: $LATEST\n`,
      `2024-07-31T13:20:00.104Z\t${requestId}\tINFO\tthumbnail source fetched with: curl http://169.254.169.254/latest/meta-data/iam/security-credentials/\n`,
      `END RequestId: ${requestId}\n`,
      `REPORT RequestId: ${requestId}\tDuration: 412.08 ms\tBilled Duration: 413 ms\tMemory Size: 256 MB\tMax Memory Used: 88 MB\t\n`,
    ];
    return JSON.stringify({
      events: messages.map((message, i) => ({
        logStreamName: stream,
        timestamp: Date.parse('2024-07-31T13:20:00.100Z') + i * 100,
        message,
        ingestionTime: Date.parse('2024-07-31T13:20:05Z') + i * 100,
        eventId: `3785${i}`,
      })),
      searchedLogStreams: [],
    });
  }

  it('are exported into the case folder, tabled, and found by the Lambda hunts', async () => {
    const logs = await mkdtemp(join(tmpdir(), 'casefile-cwl-lambda-'));
    await writeFile(join(logs, 'trail.json.gz'), await readFile(stratusStop));
    await mkdir(join(logs, 'aws', 'lambda'), { recursive: true });
    await writeFile(join(logs, 'aws', 'lambda', 'payments-api.json'), lambdaFilterLogEvents());
    const out = await mkdtemp(join(tmpdir(), 'casefile-cwl-lambda-cases-'));
    const outcome = await runInvestigationLocally({ logs, out, request: { caseId: 'lambda-export' } });

    const tables = JSON.parse(await readFile(join(outcome.caseFolder, 'tables.json'), 'utf8'));
    expect(tables.exports).toEqual([
      expect.objectContaining({ logGroup: 'aws/lambda/payments-api', status: 'COMPLETED' }),
    ]);
    expect(
      tables.tables.map((t: { source: string; recordCount: number }) => [t.source, t.recordCount]),
    ).toEqual(
      expect.arrayContaining([
        ['cloudtrail', expect.any(Number)],
        ['lambda', 4],
      ]),
    );
    const credentials = JSON.parse(
      await readFile(
        join(outcome.caseFolder, 'hunts', 'lambda-credential-or-environment-access.json'),
        'utf8',
      ),
    );
    expect(credentials).toMatchObject({ status: 'SUCCEEDED', rowCount: 1 });
    expect(credentials.sample[0]).toMatchObject({
      event_time: '2024-07-31T13:20:00.200Z',
      event_name: 'credential access: instance metadata service',
      actor: 'aws-lambda-payments-api',
      request_id: requestId,
      level: 'INFO',
      message:
        'thumbnail source fetched with: curl http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      log_stream: '2024-07-31-LATEST-9c1e4b7a2d3f4e5a8b6c0d1e2f3a4b5c',
    });
    const commands = JSON.parse(
      await readFile(join(outcome.caseFolder, 'hunts', 'lambda-command-execution.json'), 'utf8'),
    );
    expect(commands).toMatchObject({ status: 'SUCCEEDED', rowCount: 1 });
  });
});
