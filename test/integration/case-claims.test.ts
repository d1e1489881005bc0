/**
 * A case folder belongs to one run at a time: a second run with the same id is refused, a run killed
 * or interrupted leaves its case INTERRUPTED (never RUNNING forever) with no scratch data behind, and
 * `--resume` finishes it into a case that verifies. Runs the real CLI in child processes and signals
 * them for real. Logs: Stratus Red Team detonations (test/fixtures/stratus-red-team/README.txt).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';
import { fixtureData } from '../support/fixture-data.js';

const cli = resolve(import.meta.dirname, '../../bin/casefile.mjs');

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; `until` resolves when stderr first shows the text (a step the run has entered). */
function startCli(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
    for (const waiter of waiters.filter((w) => stderr.includes(w.text))) waiter.resolve();
  });
  const finished = new Promise<Finished>((done) =>
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr })),
  );
  return {
    child,
    finished,
    until: (text: string) =>
      new Promise<void>((resolveWait, reject) => {
        if (stderr.includes(text)) return resolveWait();
        waiters.push({ text, resolve: resolveWait });
        finished.then(() => reject(new Error(`The run ended before '${text}':\n${stderr}`)));
      }),
  };
}

async function readJson<T = Record<string, unknown>>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

describe('one case folder, one run', () => {
  let logs: string;
  let out: string;

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-claims-'));
    logs = join(work, 'logs');
    out = join(work, 'cases');
    await cp(fixtureData('stratus-red-team/records_gz'), logs, { recursive: true });
  });

  it('refuses the second of two runs started with the same case id at the same time', async () => {
    const runs = await Promise.allSettled(
      [1, 2].map(() =>
        runInvestigationLocally({ logs, out, request: { caseId: 'twice', huntIds: ['root-account-usage'] } }),
      ),
    );
    const refused = runs.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(runs.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(String(refused[0]?.reason)).toMatch(/Case twice at .* is held by run local-/);
    const verified = await startCli(['verify', join(out, 'twice')]).finished;
    expect(verified.stdout).toContain('the case is intact');
    expect(verified.code).toBe(0);
  });

  it('marks a case killed with SIGKILL as INTERRUPTED at the next start, and resumes it into a case that verifies', async () => {
    const killed = startCli(['investigate', '--logs', logs, '--out', out, '--case-id', 'killed']);
    await killed.until('→ CreateTables');
    killed.child.kill('SIGKILL');
    expect((await killed.finished).signal).toBe('SIGKILL');
    const caseFolder = join(out, 'killed');
    expect((await readJson(join(caseFolder, 'case.json'))).status).toBe('RUNNING');
    const { runId } = await readJson<{ runId: string }>(join(caseFolder, 'claim.json'));
    expect(existsSync(join(tmpdir(), `casefile-work-${runId}`))).toBe(true);

    const again = await startCli(['investigate', '--logs', logs, '--out', out, '--case-id', 'killed'])
      .finished;
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/held by run/);
    expect(await readJson(join(caseFolder, 'case.json'))).toMatchObject({ status: 'INTERRUPTED' });
    expect(existsSync(join(tmpdir(), `casefile-work-${runId}`))).toBe(false);

    const resumed = await startCli(['investigate', '--resume', caseFolder, '--logs', logs]).finished;
    expect(resumed.stderr).toContain('Resuming case killed');
    expect(resumed.code).toBe(0);
    // The report's path on stderr; the case folder stays the last line on stdout, for scripts.
    expect(resumed.stderr).toContain(`Report: ${join(caseFolder, 'report.html')}`);
    expect(resumed.stdout.trim().split('\n').at(-1)).toBe(caseFolder);
    const caseFile = await readJson(join(caseFolder, 'case.json'));
    expect(caseFile.status).toBe('COMPLETED');
    const claim = await readJson(join(caseFolder, 'claim.json'));
    expect(claim.resumes).toBe(runId);
    const manifestSha256 = /manifest.json SHA-256: ([0-9a-f]{64})/.exec(resumed.stderr)?.[1] ?? '';
    const verified = await startCli(['verify', caseFolder, '--manifest-sha256', manifestSha256]).finished;
    expect(verified.stdout).toContain('the case is intact');

    // Nothing duplicated or lost: the same rows, byte for byte, as a run never interrupted.
    const reference = await runInvestigationLocally({ logs, out, request: { caseId: 'never-killed' } });
    const csvs = async (folder: string) =>
      Object.fromEntries(
        await Promise.all(
          (await readdir(join(folder, 'hunts')))
            .filter((f) => f.endsWith('.csv'))
            .map(async (f) => [f, await readFile(join(folder, 'hunts', f), 'utf8')]),
        ),
      );
    const resumedRows = await csvs(caseFolder);
    expect(Object.keys(resumedRows).length).toBeGreaterThan(0);
    expect(resumedRows).toEqual(await csvs(reference.caseFolder));
    // Four runs of the CLI and one in process: on a busy 2-core machine this takes a while.
  }, 300_000);

  it('stops on SIGINT with the case INTERRUPTED, no scratch data left, and the resume command printed', async () => {
    const interrupted = startCli(['investigate', '--logs', logs, '--out', out, '--case-id', 'interrupted']);
    await interrupted.until('→ CreateTables');
    const { runId } = await readJson<{ runId: string }>(join(out, 'interrupted', 'claim.json'));
    interrupted.child.kill('SIGINT');
    const finished = await interrupted.finished;
    expect(finished.code).toBe(130);
    expect(finished.stderr).toContain(
      `casefile investigate --resume ${join(out, 'interrupted')} --logs ${logs}`,
    );
    expect(await readJson(join(out, 'interrupted', 'case.json'))).toMatchObject({ status: 'INTERRUPTED' });
    expect(existsSync(join(tmpdir(), `casefile-work-${runId}`))).toBe(false);
    const verify = await startCli(['verify', join(out, 'interrupted')]).finished;
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/manifest.json does not exist: the case never finished/);

    const resumed = await startCli(['investigate', '--resume', 'interrupted', '--out', out, '--logs', logs])
      .finished;
    expect(resumed.code).toBe(0);
    expect(await readJson(join(out, 'interrupted', 'case.json'))).toMatchObject({ status: 'COMPLETED' });
  }, 300_000);
});
