import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CaseLines } from '../../../shared/domain/case-files/case-lines.js';
import { InvalidCaseFileError } from '../../../shared/errors.js';
import { readCaseLines, writeCaseLines } from '../../../shared/ports/evidence-store.js';
import { ChunkingEvidenceStore as ChunkingStore } from '../../support/chunking-evidence-store.js';
import { MemoryEvidenceStore } from '../../support/memory-evidence-store.js';

const entrySchema = z.strictObject({ file: z.string(), size: z.number() });
const list: CaseLines<z.infer<typeof entrySchema>> = { key: 'c1/manifest-inputs.jsonl', schema: entrySchema };
const entry = (i: number) => ({
  file: `/logs/AWSLogs/111122223333/CloudTrail/eu-west-1/f${i}.json.gz`,
  size: i,
});

describe('a JSON Lines case file', () => {
  it('writes 100,000 entries as a stream of chunks of at most about 256 KiB, never as one string', async () => {
    const store = new ChunkingStore();
    const count = await writeCaseLines(
      store,
      list,
      (function* () {
        for (let i = 0; i < 100_000; i += 1) yield entry(i);
      })(),
    );
    expect(count).toBe(100_000);
    expect(store.wholeWrites).toEqual([]);
    expect(store.streamedChunks.length).toBeGreaterThan(20);
    expect(Math.max(...store.streamedChunks)).toBeLessThan(300 * 1024);
    const lines = store.text(list.key).split('\n');
    expect(lines).toHaveLength(100_001);
    expect(JSON.parse(lines[99_999] as string)).toEqual(entry(99_999));
    expect(lines[100_000]).toBe('');
  });

  it('refuses to write an entry that breaks the line contract, naming the file', async () => {
    const bad = [entry(1), { file: 'x', size: 'big' } as unknown as ReturnType<typeof entry>];
    await expect(writeCaseLines(new MemoryEvidenceStore(), list, bad)).rejects.toThrow(
      /Refusing to write a line of c1\/manifest-inputs.jsonl: .*size/,
    );
  });

  it('reads entries as the bytes arrive: the first before the rest is read, a line or a character cut between chunks whole', async () => {
    const text = `${JSON.stringify({ file: 'ü/ä.json', size: 1 })}\n${JSON.stringify(entry(2))}\n${JSON.stringify(entry(3))}`;
    const bytes = Buffer.from(text);
    // Cut inside the two-byte "ü", and inside the second line.
    const store = new ChunkingStore([bytes.subarray(0, 10), bytes.subarray(10, 40), bytes.subarray(40)]);
    const reading = readCaseLines(store, list);
    const first = await reading.next();
    expect(first.value).toEqual({ file: 'ü/ä.json', size: 1 });
    expect(store.pulled).toBeLessThan(3);
    const rest: unknown[] = [];
    for await (const value of reading) rest.push(value);
    // The last line has no newline: it is still an entry.
    expect(rest).toEqual([entry(2), entry(3)]);
  });

  it('fails on a line that breaks the contract, naming the file and the line', async () => {
    const store = new ChunkingStore([Buffer.from(`${JSON.stringify(entry(1))}\n{"file":"x"}\n`)]);
    const read = async () => {
      for await (const _ of readCaseLines(store, list));
    };
    await expect(read()).rejects.toBeInstanceOf(InvalidCaseFileError);
    await expect(read()).rejects.toThrow(/c1\/manifest-inputs.jsonl line 2 does not match its schema/);
  });

  it('fails on bytes that are not UTF-8, naming the file and the last line read whole', async () => {
    const store = new ChunkingStore([
      Buffer.from(`${JSON.stringify(entry(1))}\n{"file":"`),
      Buffer.from([0xff, 0x22]),
    ]);
    const read = async () => {
      for await (const _ of readCaseLines(store, list));
    };
    await expect(read()).rejects.toThrow(
      new InvalidCaseFileError('c1/manifest-inputs.jsonl after line 1 is not UTF-8.'),
    );
  });
});
