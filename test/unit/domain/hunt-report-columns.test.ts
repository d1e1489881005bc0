import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateHunt } from '../../../shared/domain/hunt-definition.js';
import { InvalidHuntError } from '../../../shared/errors.js';
import { defaultLibraryDir } from '../../../shared/hunts/hunt-library.js';

async function snapshotShared(): Promise<Record<string, unknown>> {
  return parse(await readFile(join(defaultLibraryDir(), 'cloudtrail', 'snapshot-shared.yaml'), 'utf8'));
}

describe("a hunt's reportColumns", () => {
  it('is optional: a hunt without it loads, with none set', async () => {
    const { reportColumns: _, ...raw } = await snapshotShared();
    expect(validateHunt(raw, 'snapshot-shared.yaml').reportColumns).toBeUndefined();
  });

  it('names the columns the report must show', async () => {
    const hunt = validateHunt({ ...(await snapshotShared()), reportColumns: ['shared_with'] }, 'x.yaml');
    expect(hunt.reportColumns).toEqual(['shared_with']);
  });

  it('refuses anything but column names', async () => {
    const raw = await snapshotShared();
    expect(() => validateHunt({ ...raw, reportColumns: 'shared_with' }, 'x.yaml')).toThrow(InvalidHuntError);
    expect(() => validateHunt({ ...raw, reportColumns: ['Shared With'] }, 'x.yaml')).toThrow(/reportColumns/);
  });
});
