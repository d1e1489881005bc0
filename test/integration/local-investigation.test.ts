import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultLibraryDir } from '../../shared/hunts/hunt-library.js';
import { FolderInventory } from '../../shared/local/adapters/folder-inventory.js';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';
import { fixtureData } from '../support/fixture-data.js';

// Stratus Red Team detonation logs: DataDog/stratus-red-team, Apache-2.0 (test/fixtures/stratus-red-team/README.txt).
const stratus = fixtureData('stratus-red-team/records_gz');

async function readJson<T = Record<string, unknown>>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

describe('an investigation of real CloudTrail on the embedded engine', () => {
  let caseFolder: string;
  let logs: string;

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-e2e-'));
    logs = join(work, 'logs');
    await cp(stratus, join(logs, 'stratus'), { recursive: true });
    await writeFile(
      join(logs, 'corrupt.json.gz'),
      Buffer.concat([gzipSync('{"Records":[{"eventVersion":"1.08"'), Buffer.from('garbage')]).subarray(0, 30),
    );
    const truncated = await readFile(join(stratus, 'aws.defense-evasion.cloudtrail-stop.json.gz'));
    const { gunzipSync } = await import('node:zlib');
    const text = gunzipSync(truncated).toString('utf8');
    await writeFile(join(logs, 'truncated.json'), text.slice(0, Math.floor(text.length / 2)));
    await writeFile(join(logs, 'notes.txt'), 'handed over by the customer on Monday\n');
    const outcome = await runInvestigationLocally({
      logs,
      out: join(work, 'cases'),
      request: { caseId: 'stratus' },
    });
    caseFolder = outcome.caseFolder;
  });

  it('completes the case and records every input it did not read, with the reason', async () => {
    const caseFile = await readJson<{ status: string; skipped: { input: string; reason: string }[] }>(
      join(caseFolder, 'case.json'),
    );
    expect(caseFile.status).toBe('COMPLETED');
    const skipped = Object.fromEntries(
      caseFile.skipped.map((s) => [s.input.replace(`${logs}/`, ''), s.reason]),
    );
    expect(Object.keys(skipped).sort()).toEqual(['corrupt.json.gz', 'notes.txt', 'truncated.json']);
    expect(skipped['notes.txt']).toMatch(/unknown format/);
    expect(skipped['corrupt.json.gz']).toMatch(/gzip|unexpected end|unreadable/i);
    expect(skipped['truncated.json']).toMatch(/unreadable/);
  });

  it('loads every record of the readable files and takes the window from them', async () => {
    const summary = await readJson<{
      sources: { source: string; records: number }[];
      observed: { firstEventTime: string };
    }>(join(caseFolder, 'summary.json'));
    expect(summary.sources).toEqual([expect.objectContaining({ source: 'cloudtrail', records: 310 })]);
    expect(summary.observed.firstEventTime).toMatch(/^20\d\d-/);
  });

  it('estimates what its hunts would cost in Athena from the sizes of the files read', async () => {
    const estimate = await readJson<{
      sourceBytes: Record<string, number>;
      hunts: { huntId: string; billedBytes: number }[];
      direct: { billedBytes: number; costUsd: number };
      withOnePass: { bytes: number };
    }>(join(caseFolder, 'athena-estimate.json'));
    const listed = (await readFile(join(caseFolder, 'inventory-files.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .reduce((sum, line) => sum + (JSON.parse(line) as { size: number }).size, 0);
    expect(estimate.sourceBytes.cloudtrail).toBe(listed);
    // Small logs: every hunt is billed Athena's 10 MB minimum (https://aws.amazon.com/athena/pricing/).
    expect(estimate.hunts.length).toBeGreaterThan(50);
    expect(estimate.direct.billedBytes).toBe(estimate.hunts.length * 10 * 2 ** 20);
    expect(estimate.direct.costUsd).toBeCloseTo((estimate.direct.billedBytes / 2 ** 40) * 5, 10);
  });

  it('records its scan: the estimate, and "not billed" for the embedded engine, in scan-cost.json and the reports', async () => {
    const cost = await readJson<{ estimated: { bytes: number }; scanned: null; note: string }>(
      join(caseFolder, 'scan-cost.json'),
    );
    const estimate = await readJson<{ withOnePass: { bytes: number } }>(
      join(caseFolder, 'athena-estimate.json'),
    );
    expect(cost.estimated.bytes).toBe(estimate.withOnePass.bytes);
    expect(cost.scanned).toBeNull();
    expect(cost.note).toBe('not billed (embedded engine)');
    const report = await readFile(join(caseFolder, 'report.md'), 'utf8');
    expect(report).toMatch(
      /## Bytes scanned and cost\n\nestimated [0-9.]+ (KiB|MiB), not billed \(embedded engine\)\./,
    );
    const html = await readFile(join(caseFolder, 'report.html'), 'utf8');
    expect(html).toContain('not billed (embedded engine)');
  });

  it('reports the techniques those logs hold', async () => {
    const stop = await readJson<{ status: string; rowCount: number; sample: Record<string, string>[] }>(
      join(caseFolder, 'hunts', 'cloudtrail-logging-disabled.json'),
    );
    expect(stop.status).toBe('SUCCEEDED');
    expect(stop.sample.map((r) => r.event_name)).toEqual(
      expect.arrayContaining(['StopLogging', 'DeleteTrail', 'PutEventSelectors']),
    );
    const csv = await readFile(join(caseFolder, 'hunts', 'cloudtrail-logging-disabled.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^event_time,event_name,actor,source_ip,account_id,region,eventid/);
    const report = await readFile(join(caseFolder, 'report.md'), 'utf8');
    expect(report).toContain('CloudTrail logging stopped');
    expect(report).toContain('## Inputs skipped');
  });

  it('writes a manifest whose hashes match every other file of the case', async () => {
    const manifest = await readJson<{ files: { file: string; sha256: string; size: number }[] }>(
      join(caseFolder, 'manifest.json'),
    );
    const onDisk = (await readdir(caseFolder, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) =>
        join(e.parentPath, e.name)
          .slice(caseFolder.length + 1)
          .replaceAll('\\', '/'),
      )
      .filter((f) => f !== 'manifest.json')
      .sort();
    expect(manifest.files.map((f) => f.file).sort()).toEqual(onDisk);
    for (const entry of manifest.files.filter((f) => f.file !== 'case.json')) {
      const body = await readFile(join(caseFolder, entry.file));
      expect(createHash('sha256').update(body).digest('hex'), entry.file).toBe(entry.sha256);
    }
    // case.json is hashed without the one field written after the manifest: the manifest's own hash.
    const manifestText = await readFile(join(caseFolder, 'manifest.json'));
    const { manifestSha256, ...caseFile } = await readJson<Record<string, unknown>>(
      join(caseFolder, 'case.json'),
    );
    expect(manifestSha256).toBe(createHash('sha256').update(manifestText).digest('hex'));
    expect(manifest.files.find((f) => f.file === 'case.json')?.sha256).toBe(
      createHash('sha256')
        .update(`${JSON.stringify(caseFile, null, 2)}\n`)
        .digest('hex'),
    );
  });

  it('hashes every log file it read, and names the engine that read them', async () => {
    const manifest = await readJson<{
      inputFiles: number;
      files: { file: string }[];
      engine: { version: string };
    }>(join(caseFolder, 'manifest.json'));
    const inputs = (await readFile(join(caseFolder, 'manifest-inputs.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { file: string; sha256: string });
    expect(inputs).toHaveLength(manifest.inputFiles);
    expect(inputs.map((i) => i.file)).toContain(
      join(logs, 'stratus', 'aws.defense-evasion.cloudtrail-stop.json.gz'),
    );
    // The list of inputs is vouched for by the manifest like every other file of the run.
    expect(manifest.files.map((f) => f.file)).toContain('manifest-inputs.jsonl');
    expect(manifest.engine.version).toMatch(/^DuckDB v\d+\.\d+/);
  });
});

describe('a hunt that fails', () => {
  it('is recorded as failed while the case completes', async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-failing-hunt-'));
    const library = join(work, 'library');
    await cp(defaultLibraryDir(), library, { recursive: true });
    const original = await readFile(join(library, 'cloudtrail', 'cloudtrail-logging-disabled.yaml'), 'utf8');
    await mkdir(join(library, 'broken'));
    await writeFile(
      join(library, 'broken', 'broken-hunt.yaml'),
      original
        .replace('id: cloudtrail-logging-disabled', 'id: broken-hunt')
        .replace('FROM cloudtrail', 'FROM table_that_does_not_exist'),
    );
    const outcome = await runInvestigationLocally({
      logs: stratus,
      out: join(work, 'cases'),
      request: { caseId: 'with-broken-hunt', huntIds: ['broken-hunt', 'cloudtrail-logging-disabled'] },
      huntLibraryDir: library,
    });
    const caseFile = await readJson<{ status: string }>(join(outcome.caseFolder, 'case.json'));
    expect(caseFile.status).toBe('COMPLETED');
    const broken = await readJson<{ status: string; error: { name: string; message: string } }>(
      join(outcome.caseFolder, 'hunts', 'broken-hunt.json'),
    );
    expect(broken.status).toBe('FAILED');
    expect(broken.error.name).toBe('QueryFailedError');
    expect(broken.error.message).toMatch(/table_that_does_not_exist/);
    const good = await readJson<{ status: string; rowCount: number }>(
      join(outcome.caseFolder, 'hunts', 'cloudtrail-logging-disabled.json'),
    );
    expect(good.rowCount).toBeGreaterThan(0);
    const summary = await readJson<{ failedHunts: { huntId: string }[] }>(
      join(outcome.caseFolder, 'summary.json'),
    );
    expect(summary.failedHunts.map((f) => f.huntId)).toEqual(['broken-hunt']);
  });
});

describe('a folder of Sigma rules sent with the request', () => {
  it('runs alongside the library, with values bound, and reports the rules it could not compile', async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-sigma-'));
    const rulesDir = fileURLToPath(new URL('../fixtures/sigma/', import.meta.url));
    const files = (await readdir(rulesDir, { recursive: true })).filter((f) => f.endsWith('.yml')).sort();
    const sigmaRules = await Promise.all(
      files.map(async (file) => ({ file, text: await readFile(join(rulesDir, file), 'utf8') })),
    );
    const outcome = await runInvestigationLocally({
      logs: stratus,
      out: join(work, 'cases'),
      request: { caseId: 'with-sigma', sigmaRules },
    });
    const stopped = await readJson<{ status: string; rowCount: number; parameters: string[]; query: string }>(
      join(outcome.caseFolder, 'hunts', 'sigma-aws-cloudtrail-logging-stopped-or-trail-deleted.json'),
    );
    expect(stopped.status).toBe('SUCCEEDED');
    expect(stopped.rowCount).toBeGreaterThan(0);
    expect(stopped.parameters.length).toBeGreaterThan(0);
    for (const value of stopped.parameters) expect(stopped.query).not.toContain(`'${value}'`);
    const tables = await readJson<{ huntsNotRun: { huntId: string; reason: string }[] }>(
      join(outcome.caseFolder, 'tables.json'),
    );
    const notRun = Object.fromEntries(tables.huntsNotRun.map((n) => [n.huntId, n.reason]));
    expect(notRun['sigma:unsupported/aws_many_access_denied_count.yml']).toMatch(/count/);
    expect(notRun['sigma:other-log-sources']).toBe(
      '1 Sigma rule(s) for log sources other than CloudTrail, not run (1 product windows, category process_creation); they are kept in sigma/.',
    );
    expect(
      await readFile(
        join(outcome.caseFolder, 'sigma', 'cloudtrail', 'aws_cloudtrail_disable_logging.yml'),
        'utf8',
      ),
    ).toContain('StopLogging');
  });
});

describe('an account whose inventory fails', () => {
  it('is named in the inventory while the other accounts are investigated', async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-accounts-'));
    const folder = new FolderInventory(stratus);
    const outcome = await runInvestigationLocally({
      logs: stratus,
      out: join(work, 'cases'),
      request: { caseId: 'two-accounts', huntIds: ['cloudtrail-logging-disabled'] },
      testing: {
        noRetryDelay: true,
        adapters: {
          inventory: {
            accounts: async () => ['111111111111', '222222222222'],
            discover: async (context, account) => {
              if (account === '222222222222')
                throw new Error('User is not authorized to perform: sts:AssumeRole');
              return folder.discover(context);
            },
            discoverExported: (context, exports) => folder.discoverExported(context, exports),
          },
        },
      },
    });
    const caseFile = await readJson<{ status: string }>(join(outcome.caseFolder, 'case.json'));
    expect(caseFile.status).toBe('COMPLETED');
    const inventory = await readJson<{ notes: string[]; sources: { source: string }[] }>(
      join(outcome.caseFolder, 'inventory.json'),
    );
    expect(inventory.notes).toEqual([
      expect.stringMatching(/^Account 222222222222 could not be inventoried \(Error\): .*sts:AssumeRole/),
    ]);
    expect(inventory.sources.map((s) => s.source)).toEqual(['cloudtrail']);
    const stopped = await readJson<{ rowCount: number }>(
      join(outcome.caseFolder, 'hunts', 'cloudtrail-logging-disabled.json'),
    );
    expect(stopped.rowCount).toBeGreaterThan(0);
  });
});
