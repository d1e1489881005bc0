import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CaseContext } from '../../../../shared/domain/case.js';
import { UNBOUNDED_FROM, UNBOUNDED_TO } from '../../../../shared/domain/time-window.js';
import { FolderInventory } from '../../../../shared/local/adapters/folder-inventory.js';

const context = {
  caseId: 'c1',
  window: { from: null, to: null },
  closedWindow: { from: UNBOUNDED_FROM, to: UNBOUNDED_TO },
  engine: 'duckdb',
  openedAt: '2024-05-01T00:00:00.000Z',
  maxConcurrency: 1,
  huntIds: null,
  iocs: {},
  requestedBy: null,
  reason: null,
} satisfies CaseContext;

const trail = JSON.stringify({
  Records: [
    {
      eventVersion: '1.08',
      eventTime: '2024-05-01T00:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'ListUsers',
    },
  ],
});

describe('the inventory of a folder of logs', () => {
  it('classifies files by content whatever their names, and says why the others were skipped', async () => {
    const root = await mkdtemp(join(tmpdir(), 'casefile-folder-'));
    await writeFile(join(root, 'renamed.txt'), gzipSync(trail));
    await writeFile(join(root, 'notes.md'), '# what the customer told us\n');
    const inventory = await new FolderInventory(root).discover(context);
    expect(inventory.sources).toEqual([
      expect.objectContaining({
        source: 'cloudtrail',
        files: [
          expect.objectContaining({
            path: join(root, 'renamed.txt'),
            layout: 'records-object',
            compressed: true,
          }),
        ],
      }),
    ]);
    expect(inventory.skipped).toEqual([
      { input: join(root, 'notes.md'), reason: expect.stringMatching(/unknown format/), stage: 'inventory' },
    ]);
  });

  it('turns CloudWatch Logs data into log groups to export, named by the payload or by the file’s place', async () => {
    const root = await mkdtemp(join(tmpdir(), 'casefile-folder-'));
    await mkdir(join(root, 'eks'));
    await writeFile(
      join(root, 'eks', 'prod-cluster.json'),
      JSON.stringify({ events: [{ timestamp: 1, message: 'x' }] }),
    );
    await writeFile(
      join(root, 'payload.json'),
      JSON.stringify({
        messageType: 'DATA_MESSAGE',
        logGroup: '/aws/lambda/payments',
        logStream: 's',
        logEvents: [],
      }),
    );
    const inventory = await new FolderInventory(root).discover(context);
    expect(inventory.exports?.map((e) => [e.logGroup, e.files?.length])).toEqual([
      ['eks/prod-cluster', 1],
      ['/aws/lambda/payments', 1],
    ]);
    expect(inventory.sources).toEqual([]);
  });

  it('refuses a logs folder that does not exist rather than finding nothing in it', async () => {
    await expect(new FolderInventory('/nonexistent/logs').discover(context)).rejects.toThrow(
      /does not exist/,
    );
  });
});
