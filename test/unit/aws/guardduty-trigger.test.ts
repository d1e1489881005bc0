import { readFileSync } from 'node:fs';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { startFromGuardDutyEvent } from '../../../shared/aws/guardduty-trigger.js';
import { InvestigationStarter } from '../../../shared/aws/investigation-starter.js';
import { openCaseContext } from '../../../shared/domain/case.js';
import type { CaseRecord } from '../../../shared/domain/case-files/case-record.js';
import { caseFiles } from '../../../shared/domain/case-files.js';
import type { CaseRun } from '../../../shared/domain/case-runs.js';
import {
  findingFromDocument,
  investigationFromFinding,
  parseGuardDutyFinding,
} from '../../../shared/domain/guardduty-finding.js';
import { InvalidRequestError, TransientServiceError } from '../../../shared/errors.js';
import { writeCaseFile } from '../../../shared/ports/evidence-store.js';
import { MemoryEvidenceStore } from '../../support/memory-evidence-store.js';

const sfn = mockClient(SFNClient);
const STATE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:casefile-test-investigation';
const NOW = new Date('2024-05-03T00:00:00Z');
const options = { minSeverity: 7, lookbackHours: 72, afterHours: 6, now: () => NOW };

const findingEvent = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/guardduty-events/${name}.json`, import.meta.url), 'utf8'));
const requestFor = (name: string) =>
  investigationFromFinding(parseGuardDutyFinding(findingEvent(name).detail), { ...options, now: NOW })
    .request;

function starter() {
  return new InvestigationStarter({
    client: new SFNClient({ region: 'us-east-1' }),
    stateMachineArn: STATE_MACHINE,
    caseBucket: 'casefile-test-cases',
    now: () => NOW,
  });
}

let store: MemoryEvidenceStore;

beforeEach(() => {
  sfn.reset();
  store = new MemoryEvidenceStore();
});

/** The case folder as run 1 (and any later runs) left it: case.json with its status and runs. */
async function openedCase(
  request: ReturnType<typeof requestFor>,
  status: 'RUNNING' | 'COMPLETED',
  laterRuns: Partial<CaseRun>[] = [],
) {
  const window = { from: request.from ?? '', to: request.to ?? '' };
  const run1: CaseRun = {
    run: 1,
    runId: request.caseId ?? '',
    trigger: 'request',
    window,
    status: 'COMPLETED',
    openedAt: NOW.toISOString(),
  };
  const caseId = request.caseId ?? '';
  const record: CaseRecord = {
    caseId,
    status,
    runId: caseId,
    request,
    window,
    closedWindow: window,
    engine: 'athena',
    caseFolder: `s3://casefile-test-cases/cases/${caseId}/`,
    timings: { openedAt: NOW.toISOString() },
    ...(laterRuns.length > 0
      ? { runs: [run1, ...laterRuns.map((r) => ({ ...run1, ...r }) as CaseRun)] }
      : {}),
  };
  await writeCaseFile(store, caseFiles(caseId).caseRecord, record);
}

/** The same finding published again: seen later, from one more address. */
function laterUpdate() {
  const updated = findingEvent('iam-access-key');
  updated.detail.updatedAt = '2024-05-02T18:00:00.000Z';
  updated.detail.service.eventLastSeen = '2024-05-02T17:55:00.000Z';
  updated.detail.service.count = 7;
  updated.detail.service.action.awsApiCallAction.remoteIpDetails.ipAddressV4 = '198.51.100.200';
  return updated;
}

describe('a GuardDuty finding scopes its investigation (API_Finding / API_Action field names)', () => {
  it('IAM access key finding: the key, the role behind the session, the caller address and tool', () => {
    const request = requestFor('iam-access-key');
    expect(request).toMatchObject({
      caseId: 'guardduty-a2c7d1e8f3b94c5d6e7f8091a2b3c4d5',
      from: '2024-04-28T10:40:12.000Z',
      to: '2024-05-01T19:02:41.000Z',
      accounts: ['111122223333'],
      regions: ['us-east-1'],
      requestedBy: 'guardduty',
    });
    expect(request.iocs).toEqual({
      accessKeyIds: ['ASIAQEXAMPLEKEY00042'],
      principalArns: ['arn:aws:iam::111122223333:role/web-app-role'],
      ips: ['203.0.113.77'],
      userAgents: ['aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0'],
    });
  });

  it('a finding in another region also searches us-east-1, where CloudTrail records the IAM and STS calls', () => {
    const event = findingEvent('iam-access-key');
    event.detail.region = 'eu-west-1';
    const finding = parseGuardDutyFinding(event.detail);
    const { request } = investigationFromFinding(finding, { ...options, now: NOW });
    expect(request.regions).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('EC2 DNS finding: the instance and the queried domain, not the instance’s own address', () => {
    expect(requestFor('ec2-dns').iocs).toEqual({
      instanceIds: ['i-0a1b2c3d4e5f60789'],
      domains: ['pool.minexmr.example.com'],
    });
  });

  it('EC2 network finding: the remote command-and-control address', () => {
    expect(requestFor('ec2-network').iocs).toEqual({
      instanceIds: ['i-0b2c3d4e5f6071890'],
      ips: ['192.0.2.66'],
    });
  });

  it('port probe: every probing address', () => {
    expect(requestFor('ec2-port-probe').iocs?.ips).toEqual(['198.51.100.9', '198.51.100.10']);
  });

  it('S3 finding: the IAM user’s key and ARN and the caller', () => {
    expect(requestFor('s3-exfiltration').iocs).toEqual({
      accessKeyIds: ['AKIAQEXAMPLEKEY00007'],
      principalArns: ['arn:aws:iam::111122223333:user/build-bot'],
      ips: ['203.0.113.91'],
    });
  });

  it('EKS finding: the Kubernetes caller’s address and client', () => {
    expect(requestFor('eks-exec').iocs).toEqual({
      ips: ['203.0.113.150'],
      userAgents: ['kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9'],
    });
  });

  it('Runtime finding: the instance, with no invented indicators', () => {
    expect(requestFor('runtime').iocs).toEqual({ instanceIds: ['i-0d4e5f60718901234'] });
  });

  it('every mapped request passes the same validation as a request from the API', () => {
    for (const name of [
      'iam-access-key',
      'ec2-dns',
      'ec2-network',
      's3-exfiltration',
      'eks-exec',
      'runtime',
    ]) {
      expect(() => openCaseContext(requestFor(name), 'athena', NOW)).not.toThrow();
    }
  });

  it('never reads past now, even when the finding is still active', () => {
    const event = findingEvent('iam-access-key');
    const request = investigationFromFinding(parseGuardDutyFinding(event.detail), {
      ...options,
      now: new Date('2024-05-01T14:00:00Z'),
    }).request;
    expect(request.to).toBe('2024-05-01T14:00:00.000Z');
  });

  it('refuses a detail that is not a finding, naming the field', () => {
    expect(() => parseGuardDutyFinding({ id: 'x', accountId: '1', region: 'us-east-1' })).toThrow(
      /accountId/,
    );
  });
});

describe('startFromGuardDutyEvent', () => {
  it('starts the execution named after the finding for a finding at or above the threshold', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE}:x`, startDate: NOW });
    const outcome = await startFromGuardDutyEvent(findingEvent('iam-access-key'), starter(), options, store);
    expect(outcome.kind).toBe('started');
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      name: 'guardduty-a2c7d1e8f3b94c5d6e7f8091a2b3c4d5',
    });
  });

  it('opens nothing for a finding below the threshold', async () => {
    const outcome = await startFromGuardDutyEvent(findingEvent('ec2-port-probe'), starter(), options, store);
    expect(outcome).toEqual({
      kind: 'below-threshold',
      findingId: 'd5f0a4b1c6e27f8091a2b3c4d5e6f708',
      severity: 2,
      minSeverity: 7,
    });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('a re-published finding with the same updatedAt starts nothing: one run, whatever its window end', async () => {
    const event = findingEvent('iam-access-key');
    const first = requestFor('iam-access-key');
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    // Delivered later, the same version asks for a later `to` (capped at now): still the same version.
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ input: JSON.stringify({ ...first, to: 'x' }), status: 'SUCCEEDED' });
    await openedCase(first, 'COMPLETED');

    const again = await startFromGuardDutyEvent(event, starter(), options, store);
    expect(again).toEqual({
      kind: 'already-seen',
      caseId: first.caseId,
      updatedAt: first.findingUpdatedAt,
      run: 1,
    });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { name: first.caseId });
  });

  it('a later updatedAt opens run 2 of the case, to the later end, with only the new indicators', async () => {
    const first = requestFor('iam-access-key');
    await openedCase(first, 'COMPLETED');
    sfn
      .on(StartExecutionCommand, { name: first.caseId })
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }))
      .on(StartExecutionCommand, { name: `${first.caseId}.run-2` })
      .resolves({ executionArn: `${STATE_MACHINE}:${first.caseId}.run-2`, startDate: NOW });
    sfn.on(DescribeExecutionCommand).resolves({ input: JSON.stringify(first), status: 'SUCCEEDED' });

    const outcome = await startFromGuardDutyEvent(laterUpdate(), starter(), options, store);
    expect(outcome).toMatchObject({ kind: 'started', caseId: first.caseId, run: 2 });
    const run2 = sfn
      .commandCalls(StartExecutionCommand)
      .find((c) => c.args[0].input.name?.endsWith('.run-2'));
    expect(JSON.parse(run2?.args[0].input.input ?? '{}')).toEqual({
      caseId: first.caseId,
      rerun: {
        run: 2,
        trigger: 'guardduty',
        findingUpdatedAt: '2024-05-02T18:00:00.000Z',
        // The finding's new eventLastSeen (17:55) and the six hours after it.
        to: '2024-05-02T23:55:00.000Z',
      },
      iocs: { ips: ['198.51.100.200'] },
    });
  });

  it('a later updatedAt while the case is still in its run is delivered again later, not started beside it', async () => {
    const first = requestFor('iam-access-key');
    await openedCase(first, 'RUNNING');
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ input: JSON.stringify(first), status: 'RUNNING' });
    await expect(startFromGuardDutyEvent(laterUpdate(), starter(), options, store)).rejects.toThrow(
      /still in its latest run; the finding will be delivered again/,
    );
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it("the update a run came from, delivered again, starts nothing (case.json records each run's updatedAt)", async () => {
    const first = requestFor('iam-access-key');
    await openedCase(first, 'COMPLETED', [
      {
        run: 2,
        runId: `${first.caseId}.run-2`,
        trigger: 'guardduty',
        findingUpdatedAt: '2024-05-02T18:00:00.000Z',
      },
    ]);
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ input: JSON.stringify(first), status: 'SUCCEEDED' });
    const outcome = await startFromGuardDutyEvent(laterUpdate(), starter(), options, store);
    expect(outcome).toMatchObject({ kind: 'already-seen', run: 2 });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('throws when Step Functions is busy, so that EventBridge delivers the finding again', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(
      startFromGuardDutyEvent(findingEvent('ec2-dns'), starter(), options, store),
    ).rejects.toBeInstanceOf(TransientServiceError);
  });

  it('refuses an event that is not a GuardDuty finding', async () => {
    await expect(
      startFromGuardDutyEvent(
        { source: 'aws.securityhub', 'detail-type': 'x', detail: {} },
        starter(),
        options,
        store,
      ),
    ).rejects.toBeInstanceOf(InvalidRequestError);
  });
});

describe('a saved finding (casefile investigate --guardduty-finding)', () => {
  const event = findingEvent('s3-exfiltration');
  const capitalised = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(capitalised)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(
            Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), capitalised(v)]),
          )
        : value;

  it('is read from the EventBridge event, the bare finding, or `aws guardduty get-findings` output', () => {
    const fromEvent = findingFromDocument(event);
    expect(findingFromDocument(event.detail)).toEqual(fromEvent);
    expect(findingFromDocument({ Findings: [capitalised(event.detail)] })).toMatchObject({
      id: fromEvent.id,
      accountId: '111122223333',
      resource: { accessKeyDetails: { accessKeyId: 'AKIAQEXAMPLEKEY00007' } },
    });
  });

  it('refuses a get-findings output of several findings: one case per finding', () => {
    expect(() => findingFromDocument({ Findings: [event.detail, event.detail] })).toThrow(/2 findings/);
  });
});
