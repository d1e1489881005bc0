import { describe, expect, it } from 'vitest';
import type { CaseContext } from '../../../shared/domain/case.js';
import {
  completedCaseRecord,
  failedCaseRecord,
  openedCaseRecord,
} from '../../../shared/domain/case-files/case-record.js';
import { caseFiles } from '../../../shared/domain/case-files.js';
import { InvalidCaseFileError } from '../../../shared/errors.js';
import { readCaseFile, readCaseFileIfPresent, writeCaseFile } from '../../../shared/ports/evidence-store.js';
import { MemoryEvidenceStore } from '../../support/memory-evidence-store.js';

const context: CaseContext = {
  caseId: 'case-1',
  window: { from: '2024-05-01T00:00:00.000Z', to: null },
  closedWindow: { from: '2024-05-01T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z' },
  engine: 'duckdb',
  openedAt: '2024-05-02T08:00:00.000Z',
  maxConcurrency: 4,
  huntIds: null,
  iocs: {},
  requestedBy: null,
  reason: null,
};
const files = caseFiles('case-1');

describe('the case files steps hand each other', () => {
  it('are read back as written, through the layout’s keys', async () => {
    const store = new MemoryEvidenceStore();
    const opened = openedCaseRecord(context, { from: '2024-05-01' }, 'memory://case-1/');

    await writeCaseFile(store, files.caseRecord, opened);

    expect(files.caseRecord.key).toBe('case-1/case.json');
    expect(await readCaseFile(store, files.caseRecord)).toEqual(opened);
  });

  it('name the file and the field when a file breaks its contract', async () => {
    const store = new MemoryEvidenceStore();
    await store.put('case-1/case.json', JSON.stringify({ caseId: 'case-1', status: 'DONE' }));

    const read = readCaseFile(store, files.caseRecord);

    await expect(read).rejects.toBeInstanceOf(InvalidCaseFileError);
    await expect(read).rejects.toThrow(/^case-1\/case\.json does not match its schema \(status: /);
  });

  it('name the file when it is not JSON at all', async () => {
    const store = new MemoryEvidenceStore();
    await store.put('case-1/tables.json', '{"tables": [');

    await expect(readCaseFile(store, files.tables)).rejects.toThrow(/^case-1\/tables\.json is not JSON: /);
  });

  it('read a tables.json that holds each file’s counts itself, as one written before file-records.jsonl did', async () => {
    const store = new MemoryEvidenceStore();
    const counted = {
      file: '/logs/a.json',
      source: 'cloudtrail',
      records: 2,
      read: 2,
      quarantined: 0,
      nulledValues: 0,
    };
    const older = {
      tables: [],
      skipped: [],
      files: [counted],
      exports: [],
      huntsToRun: [],
      huntsNotRun: [],
      coverage: [],
      durationMs: 1,
    };
    await store.put('case-1/tables.json', JSON.stringify(older));

    expect(await readCaseFile(store, files.tables)).toMatchObject({ files: [counted] });
  });

  it('refuse to write a value the next step would refuse to read, and write nothing', async () => {
    const store = new MemoryEvidenceStore();
    const bad = { ...openedCaseRecord(context, {}, 'memory://case-1/'), engine: 'spark' } as never;

    await expect(writeCaseFile(store, files.caseRecord, bad)).rejects.toThrow(
      /^Refusing to write case-1\/case\.json: it does not match its schema \(engine: /,
    );
    expect(await store.exists(files.caseRecord.key)).toBe(false);
  });

  it('refuse a key their contract does not name, rather than drop it unseen', async () => {
    const store = new MemoryEvidenceStore();
    const opened = { ...openedCaseRecord(context, {}, 'memory://case-1/'), closedBy: 'someone' };

    await expect(writeCaseFile(store, files.caseRecord, opened)).rejects.toThrow(/closedBy/);
  });

  it('hold coverage statuses as an enum, not as a phrase', async () => {
    const store = new MemoryEvidenceStore();
    const inventory = {
      discoveredAt: '2024-05-02T08:00:00.000Z',
      sources: [],
      skipped: [],
      notes: [],
      coverage: [
        { source: 'vpcflow', title: 'VPC flow logs', status: 'expired', detail: '', consequence: null },
      ],
    };
    await store.put(files.inventory.key, JSON.stringify(inventory));

    await expect(readCaseFile(store, files.inventory)).rejects.toThrow(/coverage\.0\.status/);
  });

  it('tell an absent file from a present one', async () => {
    const store = new MemoryEvidenceStore();
    expect(await readCaseFileIfPresent(store, files.allowlist)).toBeNull();
    await writeCaseFile(store, files.allowlist, { principals: ['arn:aws:iam::*:role/ci'] });
    expect(await readCaseFileIfPresent(store, files.allowlist)).toEqual({
      principals: ['arn:aws:iam::*:role/ci'],
    });
  });
});

describe('case.json through its life', () => {
  const opened = openedCaseRecord(context, { caseId: 'case-1' }, 'memory://case-1/');

  it('opens RUNNING with the window, the engine and when it opened', () => {
    expect(opened).toEqual({
      caseId: 'case-1',
      status: 'RUNNING',
      request: { caseId: 'case-1' },
      window: context.window,
      closedWindow: context.closedWindow,
      engine: 'duckdb',
      timings: { openedAt: '2024-05-02T08:00:00.000Z' },
      caseFolder: 'memory://case-1/',
    });
  });

  it('completes keeping what it opened with, adding the outcome and the timings', () => {
    const summary = {
      observed: { firstEventTime: '2024-05-01T01:00:00Z', lastEventTime: '2024-05-01T02:00:00Z' },
      hunts: { run: 2, succeeded: 1, failed: 1, withFindings: 1, notRun: 0 },
      findingsBySeverity: { info: 0, low: 0, medium: 0, high: 1, critical: 0 },
    };
    const skipped = [{ input: 'a.json', reason: 'not a log', stage: 'inventory' as const }];

    const completed = completedCaseRecord(opened, summary as never, skipped, { huntsMs: 40 });

    expect(completed).toEqual({
      ...opened,
      status: 'COMPLETED',
      ...summary,
      skipped,
      timings: { openedAt: '2024-05-02T08:00:00.000Z', huntsMs: 40 },
    });
  });

  it('fails keeping what it had, or from the workflow’s context when case.json was never written', () => {
    const failure = { error: 'QueryFailedError', cause: 'boom' };
    expect(failedCaseRecord(opened, context, failure, '2024-05-02T09:00:00.000Z', 'x')).toEqual({
      ...opened,
      status: 'FAILED',
      failure,
      failedAt: '2024-05-02T09:00:00.000Z',
    });
    expect(
      failedCaseRecord(null, context, failure, '2024-05-02T09:00:00.000Z', 'memory://case-1/'),
    ).toMatchObject({
      caseId: 'case-1',
      status: 'FAILED',
      request: null,
      caseFolder: 'memory://case-1/',
      timings: { openedAt: context.openedAt },
    });
  });
});
