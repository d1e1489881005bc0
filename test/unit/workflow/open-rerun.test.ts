import { beforeEach, describe, expect, it } from 'vitest';
import { caseFiles } from '../../../shared/domain/case-files.js';
import { runExecutionName } from '../../../shared/domain/case-runs.js';
import { takeOverInterruptedCase } from '../../../shared/local/app/interrupted-runs.js';
import { readCaseFile, writeCaseFile } from '../../../shared/ports/evidence-store.js';
import { openCase } from '../../../shared/workflow/open-case.js';
import { fakeCaseAdapters } from '../../support/fake-case-adapters.js';

const CASE = 'guardduty-abc';

describe('opening run n+1 of a case', () => {
  let adapters: ReturnType<typeof fakeCaseAdapters>;
  let clock: Date;

  beforeEach(async () => {
    clock = new Date('2024-05-02T00:00:00Z');
    adapters = fakeCaseAdapters({ engineName: 'athena', now: () => clock });
    await openCase(
      {
        request: {
          caseId: CASE,
          from: '2024-05-01T00:00:00Z',
          to: '2024-05-01T12:00:00Z',
          iocs: { ips: ['203.0.113.77'] },
          huntIds: ['iam-user-created'],
          findingUpdatedAt: '2024-05-01T12:00:00.000Z',
        },
        runId: CASE,
      },
      adapters,
    );
    const files = caseFiles(CASE);
    const opened = await readCaseFile(adapters.store, files.caseRecord);
    await writeCaseFile(adapters.store, files.caseRecord, { ...opened, status: 'COMPLETED' });
    clock = new Date('2024-05-02T06:00:00Z');
  });

  const rerun = (runId: string, extra: Record<string, unknown> = {}) =>
    openCase(
      {
        request: {
          caseId: CASE,
          rerun: {
            run: 2,
            trigger: 'guardduty',
            to: '2024-05-01T20:00:00Z',
            findingUpdatedAt: '2024-05-01T19:00:00Z',
          },
          iocs: { ips: ['198.51.100.200'] },
          ...extra,
        },
        runId,
      },
      adapters,
    );

  it('searches from the end of run 1 less 15 minutes to the new end, with the case request and the new indicators', async () => {
    const context = await rerun(runExecutionName(CASE, 2));
    expect(context).toMatchObject({
      caseId: CASE,
      run: 2,
      runId: `${CASE}.run-2`,
      closedWindow: { from: '2024-05-01T11:45:00.000Z', to: '2024-05-01T20:00:00.000Z' },
      huntIds: ['iam-user-created'],
      iocs: { ips: ['203.0.113.77', '198.51.100.200'] },
    });
    const record = await readCaseFile(adapters.store, caseFiles(CASE).caseRecord);
    expect(record.status).toBe('RUNNING');
    expect(record.runs?.map((r) => [r.run, r.trigger, r.findingUpdatedAt, r.status])).toEqual([
      [1, 'request', '2024-05-01T12:00:00.000Z', 'COMPLETED'],
      [2, 'guardduty', '2024-05-01T19:00:00.000Z', 'RUNNING'],
    ]);
    // Later runs inherit the indicators the case gathered.
    expect((record.request as { iocs: unknown }).iocs).toEqual({ ips: ['203.0.113.77', '198.51.100.200'] });
  });

  it('continues the same run when Step Functions retries OpenCase', async () => {
    const first = await rerun(`${CASE}.run-2`);
    clock = new Date('2024-05-02T06:00:05Z');
    expect(await rerun(`${CASE}.run-2`)).toEqual(first);
    const record = await readCaseFile(adapters.store, caseFiles(CASE).caseRecord);
    expect(record.runs).toHaveLength(2);
  });

  it('refuses a second run 2 under another run id, a run out of order, and a run while the latest goes', async () => {
    await rerun(`${CASE}.run-2`);
    await expect(rerun('someone-else')).rejects.toThrow(/still in run 2/);
    const files = caseFiles(CASE);
    const record = await readCaseFile(adapters.store, files.caseRecord);
    await writeCaseFile(adapters.store, files.caseRecord, { ...record, status: 'COMPLETED' });
    await expect(rerun('someone-else')).rejects.toThrow(/the next is run 3, not run 2/);
  });

  it('refuses a bad indicator before writing anything, and a case that does not exist', async () => {
    const before = await readCaseFile(adapters.store, caseFiles(CASE).caseRecord);
    await expect(rerun(`${CASE}.run-2`, { iocs: { ips: ['not an address'] } })).rejects.toThrow(/ips/);
    expect(await readCaseFile(adapters.store, caseFiles(CASE).caseRecord)).toEqual(before);
    await expect(
      openCase(
        { request: { caseId: 'nothing-here', rerun: { run: 2, trigger: 'cli' } }, runId: 'r' },
        adapters,
      ),
    ).rejects.toThrow(/holds no case: there is nothing to run again/);
  });

  it('resumes an interrupted re-run as that run, in its window, under the run that took it over', async () => {
    const interrupted = await rerun(`${CASE}.run-2`);
    const files = caseFiles(CASE);
    const record = await readCaseFile(adapters.store, files.caseRecord);
    await writeCaseFile(adapters.store, files.caseRecord, { ...record, status: 'INTERRUPTED' });
    const request = await takeOverInterruptedCase(adapters.store, CASE, 'resumer');
    expect(request).toEqual({
      caseId: CASE,
      rerun: { run: 2, trigger: 'guardduty', findingUpdatedAt: '2024-05-01T19:00:00.000Z' },
    });
    const resumed = await openCase({ request, runId: 'resumer' }, adapters);
    expect(resumed.closedWindow).toEqual(interrupted.closedWindow);
    expect(resumed).toMatchObject({ run: 2, runId: 'resumer' });
    const after = await readCaseFile(adapters.store, files.caseRecord);
    expect(after.runs?.map((r) => [r.run, r.runId, r.status])).toEqual([
      [1, CASE, 'COMPLETED'],
      [2, 'resumer', 'RUNNING'],
    ]);
  });

  it('refuses an end before the start of the run', async () => {
    await expect(
      rerun(`${CASE}.run-2`, { rerun: { run: 2, trigger: 'cli', to: '2024-05-01T11:00:00Z' } }),
    ).rejects.toThrow(/would end .* before it starts/);
    // Refused, the run is still free: a good request under another run id opens it.
    expect(await rerun('another-run')).toMatchObject({ run: 2, runId: 'another-run' });
  });
});

describe('run execution names', () => {
  it('are the case id for run 1 and stay valid, distinct execution names of at most 80 characters', () => {
    expect(runExecutionName('IR-7', 1)).toBe('IR-7');
    expect(runExecutionName('IR-7', 12)).toBe('IR-7.run-12');
    const long = `case-${'x'.repeat(75)}`;
    const other = `case-${'x'.repeat(74)}y`;
    const names = [runExecutionName(long, 2), runExecutionName(other, 2), runExecutionName(long, 100_000)];
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/);
    expect(new Set(names).size).toBe(3);
  });
});
