import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../../shared/local/app/cli.js';

describe('casefile demo --out <dir>', () => {
  it('leaves a demo folder it did not make untouched, and says so', async () => {
    const out = await mkdtemp(join(tmpdir(), 'casefile-demo-out-'));
    await mkdir(join(out, 'demo'));
    await writeFile(join(out, 'demo', 'my-notes.md'), 'not casefile output');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);

    const code = await main(['demo', '--out', out]);

    expect(code).toBe(2);
    expect(errors.mock.calls.flat().join('\n')).toMatch(/was not made by casefile demo; it is left alone/);
    expect(await readFile(join(out, 'demo', 'my-notes.md'), 'utf8')).toBe('not casefile output');
    errors.mockRestore();
  });
});

describe('casefile verify', () => {
  it('explains a folder that is not a finished case instead of failing with a raw file error', async () => {
    const out = await mkdtemp(join(tmpdir(), 'casefile-verify-cli-'));
    await mkdir(join(out, 'c1'));
    await writeFile(join(out, 'c1', 'case.json'), '{"status":"INTERRUPTED"}');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);

    expect(await main(['verify', join(out, 'c1')])).toBe(1);
    expect(await main(['verify', join(out, 'missing')])).toBe(1);

    const printed = errors.mock.calls.flat().join('\n');
    expect(printed).toMatch(/manifest.json does not exist: the case never finished/);
    expect(printed).toMatch(/There is no case folder at/);
    expect(printed).not.toMatch(/ENOENT/);
    errors.mockRestore();
  });
});
