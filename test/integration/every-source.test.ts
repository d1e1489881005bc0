import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BuiltTable } from '../../shared/domain/case-files/tables-file.js';
import type { CoverageEntry } from '../../shared/domain/coverage.js';
import type { HuntResultRecord } from '../../shared/domain/hunt-result.js';
import { logSourceIds } from '../../shared/domain/log-sources.js';
import { loadHuntLibrary } from '../../shared/hunts/hunt-library.js';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';
import { fixtureData } from '../support/fixture-data.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const localSources = logSourceIds.filter((id) => id !== 'cloudtrail');

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/**
 * A folder handed over with every format casefile reads: the project's own fixtures per source
 * (with their malformed variants), the AWS documentation samples (CC BY-SA 4.0) and the Stratus
 * Red Team CloudTrail (DataDog, Apache-2.0).
 */
describe('a folder of evidence holding every log format', () => {
  let caseFolder: string;

  beforeAll(async () => {
    const logs = await mkdtemp(join(tmpdir(), 'casefile-every-source-'));
    for (const source of localSources) {
      await cp(join(fixtures, source), join(logs, source), { recursive: true }).catch(() => undefined);
    }
    await cp(fixtureData('aws-docs-examples'), join(logs, 'aws-docs'), { recursive: true });
    await cp(fixtureData('stratus-red-team/records_gz'), join(logs, 'cloudtrail'), { recursive: true });
    const outcome = await runInvestigationLocally({
      logs,
      out: join(logs, '..', `${logs.split('/').at(-1)}-cases`),
      request: { caseId: 'every-source' },
    });
    caseFolder = outcome.caseFolder;
  });

  it('lists every source in inventory.json with its status', async () => {
    const { coverage } = await readJson<{ coverage: CoverageEntry[] }>(join(caseFolder, 'inventory.json'));
    const status = Object.fromEntries(coverage.map((c) => [c.source, c.status]));
    for (const source of logSourceIds) expect(status[source], source).toBe('present');
  });

  it('makes a table of every source, and skips each malformed file with the reason', async () => {
    const tables = await readJson<{ tables: BuiltTable[]; skipped: { input: string; reason: string }[] }>(
      join(caseFolder, 'tables.json'),
    );
    for (const source of logSourceIds) {
      const table = tables.tables.find((t) => t.source === source);
      expect(table?.recordCount, source).toBeGreaterThan(0);
    }
    const caseFile = await readJson<{ status: string; skipped: { input: string; reason: string }[] }>(
      join(caseFolder, 'case.json'),
    );
    expect(caseFile.status).toBe('COMPLETED');
    const malformed = caseFile.skipped.filter((s) => s.input.includes('/malformed/'));
    expect(malformed.length).toBeGreaterThanOrEqual(localSources.length);
    for (const skipped of malformed) expect(skipped.reason, skipped.input).not.toBe('');
  });

  it('runs the hunts of every source', async () => {
    const library = await loadHuntLibrary();
    for (const source of logSourceIds) {
      const hunts = library.filter((h) => h.sources.includes(source) && h.kind !== 'pivot');
      expect(hunts.length, `hunts for ${source}`).toBeGreaterThanOrEqual(3);
      for (const hunt of hunts) {
        const result = await readJson<HuntResultRecord>(join(caseFolder, 'hunts', `${hunt.id}.json`));
        expect(result.status, hunt.id).toBe('SUCCEEDED');
      }
    }
  });
});
