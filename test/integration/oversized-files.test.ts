import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaseContext } from '../../shared/domain/case.js';
import { UNBOUNDED_FROM, UNBOUNDED_TO } from '../../shared/domain/time-window.js';
import { DuckDbQueryEngine } from '../../shared/local/adapters/duckdb-query-engine.js';
import { DuckDbTableBuilder } from '../../shared/local/adapters/duckdb-table-builder.js';
import { FolderInventory } from '../../shared/local/adapters/folder-inventory.js';
import { fixtureData } from '../support/fixture-data.js';

// Stratus Red Team detonation logs: DataDog/stratus-red-team, Apache-2.0.
const sample = JSON.parse(
  gunzipSync(
    readFileSync(
      fixtureData('stratus-red-team/records_gz/aws.credential-access.ec2-get-password-data.json.gz'),
    ),
  ).toString(),
).Records as Record<string, unknown>[];

const context: CaseContext = {
  caseId: 'oversized',
  window: { from: null, to: null },
  closedWindow: { from: UNBOUNDED_FROM, to: UNBOUNDED_TO },
  engine: 'duckdb',
  openedAt: '2024-05-01T00:00:00.000Z',
  maxConcurrency: 1,
  huntIds: null,
  iocs: {},
  requestedBy: null,
  reason: null,
};

/** More than DuckDB reads as one JSON object (64 MiB), as one merged dump would be. */
function oversizedRecords(count: number): string {
  const records = Array.from({ length: count }, (_, i) => ({
    ...sample[i % sample.length],
    eventID: `merged-${i}`,
  }));
  return JSON.stringify({ Records: records }, null, 1);
}

describe('a CloudTrail file too large to read as one JSON object', () => {
  const engines: DuckDbQueryEngine[] = [];
  afterAll(() => {
    for (const engine of engines) engine.close();
  });

  it('is read record by record, every record kept; a truncated one up to the record it cuts, with the reason', async () => {
    const logs = await mkdtemp(join(tmpdir(), 'casefile-oversized-'));
    const text = oversizedRecords(60_000);
    expect(text.length).toBeGreaterThan(64 * 1024 * 1024);
    await writeFile(join(logs, 'merged-dump.json.gz'), gzipSync(text));
    await writeFile(join(logs, 'merged-dump-truncated.json'), text.slice(0, text.length - 1_000));

    const engine = await DuckDbQueryEngine.open();
    engines.push(engine);
    const work = await mkdtemp(join(tmpdir(), 'casefile-oversized-work-'));
    const inventory = await new FolderInventory(logs).discover(context);
    const built = await new DuckDbTableBuilder(engine, work).build(context, inventory);

    expect(built.tables).toEqual([
      expect.objectContaining({ source: 'cloudtrail', recordCount: 60_000 + 59_999 }),
    ]);
    const { rows } = await engine.run('SELECT count(DISTINCT eventid) AS ids FROM cloudtrail');
    expect(rows[0]?.ids).toBe('60000');
    expect(built.skipped).toEqual([
      {
        input: join(logs, 'merged-dump-truncated.json'),
        reason:
          'partly read: record 60000 is cut off (file truncated); the 59999 records before it were read',
        stage: 'tables',
      },
    ]);
  });
});
