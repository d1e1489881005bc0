/**
 * A case run again over a folder of logs that grew: run n+1 searches from the end of run n less
 * 15 minutes, writes its files under runs/<n+1>/, and reports only the hits no earlier run had.
 * Real local runner (the state machine, DuckDB); the logs are CloudTrail records written here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileEvidenceStore } from '../../shared/local/adapters/file-evidence-store.js';
import { main } from '../../shared/local/app/cli.js';
import { serveInvestigations } from '../../shared/local/app/investigations-server.js';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';
import { planNextRun } from '../../shared/workflow/next-run.js';
import { verifyCase } from '../../shared/workflow/verify-case.js';

const HUNTS = ['iam-user-created'];

/** A CreateUser call by hand: what `iam-user-created` finds. */
function createUser(eventID: string, eventTime: string, userName: string) {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAQEXAMPLEUSER0006',
      arn: 'arn:aws:iam::111122223333:user/intruder',
      accountId: '111122223333',
      accessKeyId: 'AKIAQEXAMPLEKEY00006',
      userName: 'intruder',
    },
    eventTime,
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.77',
    userAgent: 'aws-cli/2.15.30',
    requestParameters: { userName },
    responseElements: null,
    eventID,
    readOnly: false,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  };
}

async function writeTrail(logs: string, name: string, records: unknown[]) {
  await writeFile(join(logs, name), JSON.stringify({ Records: records }));
}

async function readJson<T = Record<string, unknown>>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

interface NewHitsFile {
  run: number;
  window: { from: string; to: string };
  newHits: { huntId: string; recordId: string | null }[];
  seenBefore: number;
}

async function rerun(logs: string, out: string, caseId: string) {
  const next = await planNextRun(new FileEvidenceStore(out), caseId, { trigger: 'cli' });
  if (next.kind !== 'next') throw new Error(`no next run: ${next.kind}`);
  await runInvestigationLocally({ logs, out, request: next.request });
  return next.request.rerun.run;
}

describe('running a case again', () => {
  let logs: string;
  let out: string;
  const caseFolder = () => join(out, 'grows');

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-reruns-'));
    logs = join(work, 'logs');
    out = join(work, 'cases');
    await mkdir(logs);
    await writeTrail(logs, 'day-1.json', [
      createUser('00000000-0000-4000-8000-000000000001', '2024-05-16T07:00:00Z', 'backdoor-1'),
      createUser('00000000-0000-4000-8000-000000000002', '2024-05-16T09:55:00Z', 'backdoor-2'),
    ]);
    await runInvestigationLocally({ logs, out, request: { caseId: 'grows', huntIds: HUNTS } });
  }, 120_000);

  it('keeps run 1 where cases always were', async () => {
    const record = await readJson(join(caseFolder(), 'case.json'));
    expect(record.status).toBe('COMPLETED');
    expect(record.runs).toBeUndefined();
    const hunt = await readJson<{ rowCount: number }>(join(caseFolder(), 'hunts/iam-user-created.json'));
    expect(hunt.rowCount).toBe(2);
  });

  it('reports only the new hits of a log file added between runs, and a late record inside the overlap once', async () => {
    // 09:55 is run 1's last record: run 2 starts at 09:40. The 09:50 record was delivered late
    // (in a later file) and is new; 09:55 is delivered again in the new file and is not.
    await writeTrail(logs, 'day-1-late.json', [
      createUser('00000000-0000-4000-8000-000000000002', '2024-05-16T09:55:00Z', 'backdoor-2'),
      createUser('00000000-0000-4000-8000-000000000003', '2024-05-16T09:50:00Z', 'backdoor-late'),
      createUser('00000000-0000-4000-8000-000000000004', '2024-05-16T12:00:00Z', 'backdoor-3'),
    ]);
    expect(await rerun(logs, out, 'grows')).toBe(2);

    const newHits = await readJson<NewHitsFile>(join(caseFolder(), 'runs/2/new-hits.json'));
    expect(newHits.window.from).toBe('2024-05-16T09:40:00.000Z');
    expect(newHits.newHits.map((h) => h.recordId).sort()).toEqual([
      '00000000-0000-4000-8000-000000000003',
      '00000000-0000-4000-8000-000000000004',
    ]);
    expect(newHits.seenBefore).toBe(1);
    // The run's own hunt file holds every row it matched in its window (09:55 twice, as delivered
    // twice); run 1's file is untouched.
    const run2Hunt = await readJson<{ rowCount: number }>(
      join(caseFolder(), 'runs/2/hunts/iam-user-created.json'),
    );
    expect(run2Hunt.rowCount).toBe(4);
    const run1Hunt = await readJson<{ rowCount: number }>(join(caseFolder(), 'hunts/iam-user-created.json'));
    expect(run1Hunt.rowCount).toBe(2);

    const record = await readJson<{
      status: string;
      runs: { run: number; status: string; newHits?: number; trigger: string }[];
    }>(join(caseFolder(), 'case.json'));
    expect(record.status).toBe('COMPLETED');
    expect(record.runs.map((r) => [r.run, r.status, r.newHits ?? null, r.trigger])).toEqual([
      [1, 'COMPLETED', null, 'request'],
      [2, 'COMPLETED', 2, 'cli'],
    ]);
    const report = await readFile(join(caseFolder(), 'runs/2/report.md'), 'utf8');
    const firstSection = report.split('\n').find((line) => line.startsWith('## '));
    expect(firstSection).toBe('## New in run 2');
    expect(report).toContain('2 new hit(s) since run(s) 1; 1 hit(s) found again are not repeated.');
    expect(await readFile(join(caseFolder(), 'runs/2/report.html'), 'utf8')).toContain(
      '<h2>New in run 2</h2>',
    );
    const manifest = await readJson<{ files: { file: string }[] }>(
      join(caseFolder(), 'runs/2/manifest.json'),
    );
    expect(manifest.files.map((f) => f.file)).toEqual(
      expect.arrayContaining(['runs/2/new-hits.json', 'runs/2/hunts/iam-user-created.csv', 'case.json']),
    );
    expect(manifest.files.map((f) => f.file)).not.toContain('hunts/iam-user-created.csv');
  }, 120_000);

  it('records zero new hits when nothing new arrived', async () => {
    expect(await rerun(logs, out, 'grows')).toBe(3);
    const newHits = await readJson<NewHitsFile>(join(caseFolder(), 'runs/3/new-hits.json'));
    // Run 3 starts 15 minutes before run 2's last record (12:00): it finds 12:00 again, and nothing new.
    expect(newHits.window.from).toBe('2024-05-16T11:45:00.000Z');
    expect(newHits.newHits).toEqual([]);
    expect(newHits.seenBefore).toBe(1);
    const report = await readFile(join(caseFolder(), 'runs/3/report.md'), 'utf8');
    expect(report).toContain('Nothing new: every hit of run 3 (1) was already found by run(s) 1, 2.');
  }, 120_000);

  it('verifies as a whole: each run against its manifest, earlier manifests against the latest', async () => {
    const store = new FileEvidenceStore(out);
    const intact = await verifyCase(store, 'grows');
    expect(intact).toMatchObject({ altered: [], missing: [], added: [], manifestProblems: [] });
    const run2Csv = join(caseFolder(), 'runs/2/hunts/iam-user-created.csv');
    const run1Manifest = join(caseFolder(), 'manifest.json');
    const [csv, manifest] = [await readFile(run2Csv, 'utf8'), await readFile(run1Manifest, 'utf8')];
    try {
      await writeFile(run2Csv, csv.replace('backdoor-3', 'nothing-here'));
      await writeFile(run1Manifest, manifest.replace('"SHA-256"', '"SHA-256" '));
      const tampered = await verifyCase(store, 'grows');
      expect(tampered.altered).toEqual(['runs/2/hunts/iam-user-created.csv']);
      expect(tampered.manifestProblems).toEqual([
        'manifest.json is not the manifest the latest run recorded: it was edited.',
      ]);
    } finally {
      await writeFile(run2Csv, csv);
      await writeFile(run1Manifest, manifest);
    }
  });

  it('does not open a run while the latest is still going', async () => {
    const store = new FileEvidenceStore(out);
    const path = join(caseFolder(), 'case.json');
    const record = await readJson(path);
    await writeFile(path, JSON.stringify({ ...record, status: 'RUNNING' }));
    try {
      const next = await planNextRun(store, 'grows', { trigger: 'schedule' });
      expect(next).toMatchObject({ kind: 'still-running', running: { run: 3 } });
      await expect(
        runInvestigationLocally({
          logs,
          out,
          request: { caseId: 'grows', rerun: { run: 4, trigger: 'cli' } },
        }),
      ).rejects.toThrow(/still in run 3/);
    } finally {
      await writeFile(path, JSON.stringify(record, null, 2));
    }
  }, 60_000);
});

describe('a GuardDuty finding saved again with a later updatedAt (casefile investigate --guardduty-finding)', () => {
  const event = JSON.parse(
    // test/fixtures/guardduty-events/README.txt: the finding's fields as the GuardDuty API documents them.
    readFileSync(new URL('../fixtures/guardduty-events/iam-access-key.json', import.meta.url), 'utf8'),
  );
  const caseId = `guardduty-${event.detail.id}`;
  let work: string;
  let logs: string;
  let out: string;

  const investigate = async (finding: unknown, name: string) => {
    const file = join(work, name);
    await writeFile(file, JSON.stringify(finding));
    return main([
      'investigate',
      '--logs',
      logs,
      '--out',
      out,
      '--guardduty-finding',
      file,
      '--hunts',
      'iam-user-created',
    ]);
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'casefile-finding-update-'));
    logs = join(work, 'logs');
    out = join(work, 'cases');
    await mkdir(logs);
    await writeTrail(logs, 'may-1.json', [
      createUser('00000000-0000-4000-8000-000000000101', '2024-05-01T11:00:00Z', 'backdoor-1'),
    ]);
    expect(await investigate(event, 'finding.json')).toBe(0);
  }, 120_000);

  it('the same updatedAt again runs nothing', async () => {
    expect(await investigate(event, 'finding-again.json')).toBe(0);
    const record = await readJson(join(out, caseId, 'case.json'));
    expect(record.runs).toBeUndefined();
    expect(existsSync(join(out, caseId, 'runs'))).toBe(false);
  }, 60_000);

  it('a later updatedAt runs the case again to the later end, with the new address among its indicators', async () => {
    await writeTrail(logs, 'may-2.json', [
      createUser('00000000-0000-4000-8000-000000000102', '2024-05-02T12:00:00Z', 'backdoor-2'),
    ]);
    const updated = structuredClone(event);
    updated.detail.updatedAt = '2024-05-02T18:00:00.000Z';
    updated.detail.service.eventLastSeen = '2024-05-02T17:55:00.000Z';
    updated.detail.service.count = 7;
    updated.detail.service.action.awsApiCallAction.remoteIpDetails.ipAddressV4 = '198.51.100.200';
    expect(await investigate(updated, 'finding-updated.json')).toBe(0);

    const record = await readJson<{
      request: { iocs: { ips: string[] } };
      runs: {
        run: number;
        trigger: string;
        findingUpdatedAt?: string;
        window: { to: string };
        newHits?: number;
      }[];
    }>(join(out, caseId, 'case.json'));
    expect(
      record.runs.map((r) => [r.run, r.trigger, r.findingUpdatedAt, r.window.to, r.newHits ?? null]),
    ).toEqual([
      [1, 'request', '2024-05-01T13:08:55.901Z', '2024-05-01T19:02:41.000Z', null],
      [2, 'guardduty', '2024-05-02T18:00:00.000Z', '2024-05-02T23:55:00.000Z', 1],
    ]);
    expect(record.request.iocs.ips).toEqual(['203.0.113.77', '198.51.100.200']);
    const newHits = await readJson<NewHitsFile>(join(out, caseId, 'runs/2/new-hits.json'));
    expect(newHits.newHits.map((h) => h.recordId)).toEqual(['00000000-0000-4000-8000-000000000102']);

    // Delivered again, the update that made run 2 runs nothing more.
    expect(await investigate(updated, 'finding-updated-again.json')).toBe(0);
    expect(existsSync(join(out, caseId, 'runs/3'))).toBe(false);
  }, 120_000);
});

describe('casefile serve runs a scheduled case again in process', () => {
  it('accepts the schedule, runs the case again when it is due, and stops after the days asked for', async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-serve-schedule-'));
    const logs = join(work, 'logs');
    const out = join(work, 'cases');
    await mkdir(logs);
    await writeTrail(logs, 'first.json', [
      createUser('00000000-0000-4000-8000-000000000201', '2024-05-16T07:00:00Z', 'backdoor-1'),
    ]);
    let clock = new Date('2024-05-16T08:00:00Z');
    const lines: string[] = [];
    const { server, url, schedules, idle } = await serveInvestigations({
      logs,
      out,
      port: 0,
      now: () => clock,
      scheduleCheckMs: 0,
      log: (line) => lines.push(line),
    });
    try {
      const answer = await fetch(`${url}/investigations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ caseId: 'watched', hunts: HUNTS, schedule: { every: '1 hour', forDays: 1 } }),
      });
      expect(answer.status).toBe(202);
      expect(await answer.json()).toMatchObject({
        schedule: { name: 'watched', every: '1 hour', endsAt: '2024-05-17T08:00:00.000Z' },
      });
      await idle();

      clock = new Date('2024-05-16T08:30:00Z');
      expect(await schedules.tick()).toEqual([]);

      await writeTrail(logs, 'second.json', [
        createUser('00000000-0000-4000-8000-000000000202', '2024-05-16T08:20:00Z', 'backdoor-2'),
      ]);
      clock = new Date('2024-05-16T09:01:00Z');
      expect(await schedules.tick()).toMatchObject([{ kind: 'started', run: 2 }]);
      await idle();
      const newHits = await readJson<NewHitsFile>(join(out, 'watched', 'runs/2/new-hits.json'));
      expect(newHits.newHits.map((h) => h.recordId)).toEqual(['00000000-0000-4000-8000-000000000202']);
      const record = await readJson<{ runs: { trigger: string }[] }>(join(out, 'watched', 'case.json'));
      expect(record.runs.map((r) => r.trigger)).toEqual(['request', 'schedule']);
      // The API follows the latest run: its status lists the runs, its report leads with what is new.
      const status = await (await fetch(`${url}/investigations/watched`)).json();
      expect(status).toMatchObject({
        status: 'COMPLETED',
        step: 'WriteManifest',
        runs: [{ run: 1 }, { run: 2, newHits: 1 }],
      });
      const report = await (await fetch(`${url}/investigations/watched/report`)).text();
      expect(report.split('\n').find((line) => line.startsWith('## '))).toBe('## New in run 2');
      // Hunt rows: the latest run's by default (its window reaches back 15 minutes before run 1's last
      // record, so both users), an earlier run's with ?run=, a run the case has not had is a 400.
      const rowsOf = async (query: string) =>
        (await fetch(`${url}/investigations/watched/hunts/iam-user-created${query}`)).json();
      expect(await rowsOf('')).toMatchObject({ run: 2, rowCount: 2 });
      expect(await rowsOf('?run=1')).toMatchObject({ run: 1, rowCount: 1 });
      const future = await fetch(`${url}/investigations/watched/hunts/iam-user-created?run=3`);
      expect(future.status).toBe(400);
      expect(await future.json()).toMatchObject({ field: 'run' });

      // A server started again over the same folder keeps the case's schedule.
      const again = await serveInvestigations({ logs, out, port: 0, now: () => clock, scheduleCheckMs: 0 });
      expect(again.schedules.scheduled).toEqual(['watched']);
      again.server.close();

      // A day later the schedule is over: one more tick ends it and starts nothing.
      clock = new Date('2024-05-17T09:00:00Z');
      expect(await schedules.tick()).toEqual([]);
      expect(schedules.scheduled).toEqual([]);
      expect(lines).toContain('schedule of case watched ended');
    } finally {
      server.close();
    }
  }, 120_000);

  it('refuses a schedule it cannot keep, naming the field', async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-serve-schedule-'));
    await mkdir(join(work, 'logs'));
    const { server, url } = await serveInvestigations({
      logs: join(work, 'logs'),
      out: join(work, 'cases'),
      port: 0,
      scheduleCheckMs: 0,
    });
    try {
      const answer = await fetch(`${url}/investigations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ caseId: 'too-often', schedule: { every: '5 minutes', forDays: 1 } }),
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ field: 'schedule' });
    } finally {
      server.close();
    }
  });
});
