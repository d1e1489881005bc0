import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseFolderLayout } from '../../../shared/domain/case-folder-layout.js';
import { FileEvidenceStore } from '../../../shared/local/adapters/file-evidence-store.js';
import { readStoryFiles, type StoryFiles, writeStoryFiles } from '../../../shared/story/story-files.js';

const story: StoryFiles = {
  lineage: { nodes: [], sessions: [], truncated: [], quarantined: [{ eventId: 'e-1', reason: 'not JSON' }] },
  pivots: {
    rounds: [],
    indicators: [],
    rejected: [],
    stoppedAtLimit: false,
    attacker: { keys: [], ips: [], principals: [] },
    sessions: [],
    seeds: 'none',
    notQueried: [],
  },
  openItems: { endOfLogs: null, items: [] },
  logGaps: {
    silenceMinutes: 60,
    silences: [],
    loggingStops: [],
    dataEvents: [],
    digestFiles: [],
    limits: [],
  },
};

describe('the story files', () => {
  it('are read back as written, under the keys of the case folder layout', async () => {
    const root = await mkdtemp(join(tmpdir(), 'casefile-story-files-'));
    const store = new FileEvidenceStore(root);
    const layout = caseFolderLayout('case-1');
    expect(await readStoryFiles(store, layout)).toBeUndefined();
    await writeStoryFiles(store, layout, story);
    expect(await readStoryFiles(store, layout)).toEqual(story);
  });

  it('fail where they are read, naming the file, when one breaks its shape', async () => {
    const root = await mkdtemp(join(tmpdir(), 'casefile-story-files-'));
    const store = new FileEvidenceStore(root);
    const layout = caseFolderLayout('case-1');
    await writeStoryFiles(store, layout, story);
    await writeFile(join(root, layout.pivots), JSON.stringify({ ...story.pivots, seeds: 'guesswork' }));
    await expect(readStoryFiles(store, layout)).rejects.toThrow(
      /case-1\/pivots\.json does not match its schema.*seeds/s,
    );
  });
});
