import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CaseScheduler, caseSchedulerFromEnvironment } from '../../../shared/aws/case-scheduler.js';
import { InvestigationStarter } from '../../../shared/aws/investigation-starter.js';
import { runScheduledCase } from '../../../shared/aws/scheduled-run.js';
import type { CaseRecord } from '../../../shared/domain/case-files/case-record.js';
import { caseFiles } from '../../../shared/domain/case-files.js';
import { parseCaseSchedule, scheduleName } from '../../../shared/domain/case-schedule.js';
import { writeCaseFile } from '../../../shared/ports/evidence-store.js';
import { MemoryEvidenceStore } from '../../support/memory-evidence-store.js';

const sfn = mockClient(SFNClient);
const scheduler = mockClient(SchedulerClient);
const STATE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:casefile-test-investigation';
const RERUN_FUNCTION = 'arn:aws:lambda:us-east-1:111122223333:function:casefile-test-runScheduledCase';
const SCHEDULER_ROLE = 'arn:aws:iam::111122223333:role/casefile-test-scheduler';
const NOW = new Date('2024-05-02T10:00:00Z');

function starter(withScheduler = true) {
  return new InvestigationStarter({
    client: new SFNClient({ region: 'us-east-1' }),
    stateMachineArn: STATE_MACHINE,
    caseBucket: 'casefile-test-cases',
    now: () => NOW,
    ...(withScheduler
      ? {
          scheduler: new CaseScheduler({
            client: new SchedulerClient({ region: 'us-east-1' }),
            groupName: 'casefile-test',
            targetArn: RERUN_FUNCTION,
            roleArn: SCHEDULER_ROLE,
          }),
        }
      : {}),
  });
}

beforeEach(() => {
  sfn.reset();
  scheduler.reset();
});

describe('a request with a schedule (EventBridge Scheduler, API_CreateSchedule)', () => {
  const request = { caseId: 'IR-9', schedule: { every: '1 hour', forDays: 7 } };

  it("starts the case, then creates its schedule in casefile's group: hourly for 7 days, deleted after the last run", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE}:IR-9`, startDate: NOW });
    scheduler
      .on(CreateScheduleCommand)
      .resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/casefile-test/IR-9' });
    const outcome = await starter().start(request);
    expect(outcome).toMatchObject({
      kind: 'started',
      schedule: { name: 'IR-9', every: '1 hour', endsAt: '2024-05-09T10:00:00.000Z' },
    });
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: 'IR-9',
      GroupName: 'casefile-test',
      ScheduleExpression: 'rate(1 hour)',
      EndDate: new Date('2024-05-09T10:00:00.000Z'),
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      Target: expect.objectContaining({
        Arn: RERUN_FUNCTION,
        RoleArn: SCHEDULER_ROLE,
        Input: JSON.stringify({ caseId: 'IR-9' }),
      }),
    });
  });

  it('a retried request finds its execution and its schedule already there: the same case, one schedule', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ input: JSON.stringify(request), status: 'RUNNING' });
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    expect(await starter().start(request)).toMatchObject({ kind: 'existing', schedule: { name: 'IR-9' } });
  });

  it('a request retried after its schedule ran out creates no new one: the days count from the first start', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({
      input: JSON.stringify(request),
      status: 'SUCCEEDED',
      startDate: new Date('2024-04-20T10:00:00Z'),
    });
    const outcome = await starter().start(request);
    expect(outcome).toMatchObject({ kind: 'existing' });
    expect(outcome).not.toHaveProperty('schedule');
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });

  it('is refused before anything starts where the deployment has no scheduler, or on a re-run', async () => {
    expect(await starter(false).start(request)).toMatchObject({ kind: 'invalid' });
    expect(await starter().start({ ...request, rerun: { run: 2, trigger: 'request' } })).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/not to one of its re-runs/),
    });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });

  it.each([
    [{ every: '1 hours', forDays: 7 }, /singular for 1/],
    [{ every: '2 hour', forDays: 7 }, /singular for 1/],
    [{ every: '10 minutes', forDays: 7 }, /from 15 minutes to 7 days/],
    [{ every: '8 days', forDays: 30 }, /from 15 minutes to 7 days/],
    [{ every: 'hourly', forDays: 7 }, /must be a rate/],
    [{ every: '1 hour', forDays: 0 }, /forDays/],
    [{ every: '1 hour', forDays: 91 }, /forDays/],
    [{ every: '1 hour', forDays: 1.5 }, /forDays/],
    [{ every: '1 hour', forDays: 7, at: 'noon' }, /takes every and forDays, not at/],
    ['1 hour', /must be an object/],
  ])('refuses the schedule %j', (schedule, message) => {
    expect(() => parseCaseSchedule(schedule)).toThrow(message);
  });

  it('names the schedule within 64 characters, two long case ids apart', () => {
    const a = `case-${'a'.repeat(75)}`;
    const b = `case-${'a'.repeat(74)}b`;
    expect(scheduleName('IR-9')).toBe('IR-9');
    expect(scheduleName(a)).toMatch(/^[0-9A-Za-z._-]{1,64}$/);
    expect(scheduleName(a)).not.toBe(scheduleName(b));
  });

  it('reads its settings from the environment, all or none', () => {
    expect(caseSchedulerFromEnvironment({})).toBeUndefined();
    expect(() => caseSchedulerFromEnvironment({ SCHEDULE_GROUP: 'g' })).toThrow(/only part/);
  });
});

describe("a schedule's tick (functions/run-scheduled-case.ts)", () => {
  let store: MemoryEvidenceStore;

  async function caseWith(status: CaseRecord['status']) {
    const window = { from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T10:00:00.000Z' };
    await writeCaseFile(store, caseFiles('IR-9').caseRecord, {
      caseId: 'IR-9',
      status,
      runId: 'IR-9',
      request: { caseId: 'IR-9', schedule: { every: '1 hour', forDays: 7 } },
      window,
      closedWindow: window,
      engine: 'athena',
      caseFolder: 's3://casefile-test-cases/cases/IR-9/',
      timings: { openedAt: NOW.toISOString() },
    });
  }

  beforeEach(() => {
    store = new MemoryEvidenceStore();
  });

  it('opens run 2 of the case under its own execution name, marked as the schedule', async () => {
    await caseWith('COMPLETED');
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE}:IR-9.run-2`, startDate: NOW });
    const s = starter();
    const outcome = await runScheduledCase({ caseId: 'IR-9' }, { store, start: (r, n) => s.start(r, n) });
    expect(outcome).toMatchObject({ kind: 'started', run: 2 });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      name: 'IR-9.run-2',
      input: JSON.stringify({ caseId: 'IR-9', rerun: { trigger: 'schedule', run: 2 } }),
    });
    // A re-run creates no schedule of its own.
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });

  it('skips a tick while the latest run is still going, starting nothing', async () => {
    await caseWith('RUNNING');
    const s = starter();
    const outcome = await runScheduledCase({ caseId: 'IR-9' }, { store, start: (r, n) => s.start(r, n) });
    expect(outcome).toEqual({
      kind: 'skipped',
      caseId: 'IR-9',
      reason: 'still-running',
      running: { run: 1, runId: 'IR-9' },
    });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('refuses an input that names no case', async () => {
    const s = starter();
    await expect(
      runScheduledCase({ caseId: '../x' }, { store, start: (r, n) => s.start(r, n) }),
    ).rejects.toThrow(/takes \{ caseId \}/);
  });
});
