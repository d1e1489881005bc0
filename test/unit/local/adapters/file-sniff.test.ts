import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniffFiles, sniffInThread, type Verdict } from '../../../../shared/local/adapters/file-sniff.js';
import { fixtureData } from '../../../support/fixture-data.js';

describe('reading the heads of many files', () => {
  it('on worker threads, gives each file the verdict this thread gives it, in order', async () => {
    // Every fixture: each source's logs, their damaged files, CloudWatch exports, AWS samples.
    const root = fixtureData('.');
    const paths = (await readdir(root, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
    expect(paths.length).toBeGreaterThan(100);
    const handed: string[] = [];
    const onWorkers: Verdict[] = [];
    await sniffFiles(
      paths,
      root,
      (path, verdict) => {
        handed.push(path);
        onWorkers.push(verdict);
      },
      { workerMinFiles: 0, chunkFiles: 7 },
    );
    expect(handed).toEqual(paths);
    expect(onWorkers).toEqual(await sniffInThread(paths, root));
    expect(
      new Set(onWorkers.map((v) => ('skip' in v ? 'skip' : 'dump' in v ? 'dump' : v.source))).size,
    ).toBeGreaterThan(8);
  });
});
