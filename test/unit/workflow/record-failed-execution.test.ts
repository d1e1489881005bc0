import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/record-failed-execution.js';
import type { CaseRecord } from '../../../shared/domain/case-files/case-record.js';
import { caseFiles } from '../../../shared/domain/case-files.js';
import { InvalidRequestError } from '../../../shared/errors.js';
import { FileEvidenceStore } from '../../../shared/local/adapters/file-evidence-store.js';
import type { CaseAdapters } from '../../../shared/ports/case-adapters.js';
import { readCaseFile, writeCaseFile } from '../../../shared/ports/evidence-store.js';
import { parseExecutionStatusChange } from '../../../shared/workflow/record-failed-execution.js';

/**
 * The event EventBridge delivers when an execution ends, as shown in
 * https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html ("Execution Failed").
 */
function statusChange(detail: Record<string, unknown>) {
  return {
    version: '0',
    id: '315c1398-40ff-a850-213b-158f73e60175',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2024-05-01T10:05:00Z',
    region: 'eu-west-1',
    resources: ['arn:aws:states:eu-west-1:123456789012:execution:casefile-prod-investigation:IR-2024-017'],
    detail: {
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:casefile-prod-investigation:IR-2024-017',
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:casefile-prod-investigation',
      name: 'IR-2024-017',
      status: 'FAILED',
      startDate: Date.parse('2024-05-01T10:00:00Z'),
      stopDate: Date.parse('2024-05-01T10:05:00Z'),
      input: '{}',
      output: null,
      error: 'States.DataLimitExceeded',
      cause:
        'The state/task returned a result with a size exceeding the maximum number of bytes service limit.',
      ...detail,
    },
  };
}

describe('closing a case whose execution ended where no Catch could', () => {
  let store: FileEvidenceStore;
  let handler: (event: unknown) => Promise<{ recorded: boolean; reason: string }>;
  const caseFile = caseFiles('IR-2024-017').caseRecord;

  beforeEach(async () => {
    store = new FileEvidenceStore(await mkdtemp(join(tmpdir(), 'casefile-failed-execution-')));
    const adapters = { store, now: () => new Date('2024-05-01T10:05:01Z') } as unknown as CaseAdapters;
    const lambda = createHandler(() => adapters);
    handler = (event) => lambda(event, {} as never) as Promise<{ recorded: boolean; reason: string }>;
  });

  const caseRecord = (openedAt: string, status: CaseRecord['status']): CaseRecord => ({
    caseId: 'IR-2024-017',
    status,
    request: { caseId: 'IR-2024-017', from: '2024-05-01' },
    window: { from: '2024-05-01T00:00:00.000Z', to: null },
    closedWindow: { from: '2024-05-01T00:00:00.000Z', to: openedAt },
    engine: 'athena',
    caseFolder: 's3://casefile-cases/cases/IR-2024-017/',
    timings: { openedAt },
  });
  const openCase = (openedAt: string, status: CaseRecord['status'] = 'RUNNING') =>
    writeCaseFile(store, caseFile, caseRecord(openedAt, status));

  it('marks a RUNNING case FAILED with the error and cause Step Functions gave', async () => {
    await openCase('2024-05-01T10:00:01Z');
    expect(await handler(statusChange({}))).toEqual({ recorded: true, reason: 'the execution ended FAILED' });
    expect(await readCaseFile(store, caseFile)).toMatchObject({
      status: 'FAILED',
      failure: {
        error: 'States.DataLimitExceeded',
        cause: expect.stringContaining('exceeding the maximum number of bytes'),
        execution: 'FAILED',
      },
      failedAt: '2024-05-01T10:05:01.000Z',
    });
  });

  it('names a timeout or a stop as the reason when the event gives no error', async () => {
    await openCase('2024-05-01T10:00:01Z');
    await handler(statusChange({ status: 'TIMED_OUT', error: undefined, cause: undefined }));
    expect(await readCaseFile(store, caseFile)).toMatchObject({
      status: 'FAILED',
      failure: { error: 'States.Timeout', cause: 'the execution ended TIMED_OUT', execution: 'TIMED_OUT' },
    });
  });

  it('keeps the account of a case the workflow already closed (RecordCaseFailure, or COMPLETED)', async () => {
    await openCase('2024-05-01T10:00:01Z', 'FAILED');
    expect(await handler(statusChange({}))).toEqual({
      recorded: false,
      reason: 'the case is already FAILED',
    });
    expect(await readCaseFile(store, caseFile)).toEqual(caseRecord('2024-05-01T10:00:01Z', 'FAILED'));
  });

  it("leaves alone a case opened before this execution started: it is another execution's", async () => {
    await openCase('2024-04-01T09:00:00Z');
    expect((await handler(statusChange({}))).recorded).toBe(false);
    expect(await readCaseFile(store, caseFile)).toMatchObject({ status: 'RUNNING' });
  });

  it('closes run 2 of a case when its execution (named <caseId>.run-2, the case id in its input) ends unrecorded', async () => {
    const run = (n: number, runId: string, status: CaseRecord['status']) => ({
      run: n,
      runId,
      trigger: 'schedule' as const,
      window: { from: '2024-05-01T00:00:00.000Z', to: '2024-05-01T10:00:00.000Z' },
      status,
      openedAt: '2024-05-01T10:00:01Z',
    });
    await writeCaseFile(store, caseFile, {
      ...caseRecord('2024-04-01T09:00:00Z', 'RUNNING'),
      runs: [run(1, 'IR-2024-017', 'COMPLETED'), run(2, 'IR-2024-017.run-2', 'RUNNING')],
    });
    const event = statusChange({
      name: 'IR-2024-017.run-2',
      input: JSON.stringify({ caseId: 'IR-2024-017' }),
    });
    expect(
      await handler(
        statusChange({ name: 'IR-2024-017.run-3', input: JSON.stringify({ caseId: 'IR-2024-017' }) }),
      ),
    ).toEqual({
      recorded: false,
      reason: "the case's latest run is IR-2024-017.run-2",
    });
    expect(await handler(event)).toEqual({ recorded: true, reason: 'the execution ended FAILED' });
    const closed = await readCaseFile(store, caseFile);
    expect(closed.status).toBe('FAILED');
    expect(closed.runs?.map((r) => r.status)).toEqual(['COMPLETED', 'FAILED']);
  });

  it('does nothing for an execution that never opened its case (a rejected request)', async () => {
    expect(await handler(statusChange({}))).toEqual({
      recorded: false,
      reason: 'the execution never opened its case folder',
    });
    expect(await store.exists(caseFile.key)).toBe(false);
  });

  it('cuts a cause longer than 8,192 characters, and says so', async () => {
    await openCase('2024-05-01T10:00:01Z');
    await handler(statusChange({ cause: 'x'.repeat(100_000) }));
    const { failure } = await readCaseFile(store, caseFile);
    expect(failure?.cause).toHaveLength(8_192 + '… (cut)'.length);
    expect(failure?.cause.endsWith('… (cut)')).toBe(true);
  });

  it('refuses events that are not the end of an execution', () => {
    for (const detail of [
      { status: 'SUCCEEDED' },
      { status: 'RUNNING' },
      { name: '' },
      { startDate: 'yesterday' },
    ]) {
      expect(() => parseExecutionStatusChange(statusChange(detail))).toThrow(InvalidRequestError);
    }
    expect(() => parseExecutionStatusChange({})).toThrow(InvalidRequestError);
  });
});
