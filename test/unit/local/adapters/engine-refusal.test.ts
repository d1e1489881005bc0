import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDbQueryEngine } from '../../../../shared/local/adapters/duckdb-query-engine.js';
import { holdsQuoted, refusedRecord } from '../../../../shared/local/adapters/engine-refusal.js';

describe('the record the embedded engine says it refuses', () => {
  it('is read from DuckDB’s message for a list’s element and for a line, with the start it quotes', () => {
    const element = new Error(
      'Invalid Input Error: JSON transform error in file "/x/a.json", in record/value 2: Object {"eventVersion":"1.09","eventTime":"2024-05-01T10:... has duplicate key "userAgent"',
    );
    expect(refusedRecord(element, '/x/a.json')).toEqual({
      value: 2,
      reason:
        'refused by the embedded engine: Object {"eventVersion":"1.09","eventTime":"2024-05-01T10:... has duplicate key "userAgent"',
      quoted: '{"eventVersion":"1.09","eventTime":"2024-05-01T10:',
    });
    const line = new Error(
      'Invalid Input Error: JSON transform error in file "/x/b.jsonl", in line 7: Expected OBJECT',
    );
    expect(refusedRecord(line, '/x/b.jsonl')).toMatchObject({ value: 7, quoted: null });
  });

  it('is none where the engine names no record (an unreadable file, a full disk)', () => {
    expect(refusedRecord(new Error('IO Error: No space left on device'), '/x/c.json')).toBeNull();
    expect(
      refusedRecord(
        new Error('Invalid Input Error: File "/x/c.json.gz" is not a valid gzip file'),
        '/x/c.json.gz',
      ),
    ).toBeNull();
  });

  it('is read only right after the file’s name, which may itself hold “in line 1: ”', () => {
    const path = '/evidence/in line 1: copy/a.jsonl';
    const error = new Error(
      `Invalid Input Error: JSON transform error in file "${path}", in line 3: Object {"a":"in line 1: x","b":1,"c... has duplicate key "b"`,
    );
    expect(refusedRecord(error, path)?.value).toBe(3);
    expect(refusedRecord(error, '/evidence/another.jsonl')).toBeNull();
  });

  it('is the record DuckDB could not parse, which its message counts one past', async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-refusal-'));
    const engine = await DuckDbQueryEngine.open({ memoryLimit: '1GB', threads: 1 });
    const refusal = async (name: string, body: string, format: string) => {
      const path = join(work, name);
      await writeFile(path, body);
      const read = `SELECT * FROM read_json('${path}', format = '${format}', columns = {'a': 'INTEGER'})`;
      return engine.execute(read).then(
        () => null,
        (error: unknown) => refusedRecord(error, path),
      );
    };
    try {
      expect((await refusal('first.jsonl', '{"a":1} {"a":2}\n{"a":3}\n', 'newline_delimited'))?.value).toBe(
        1,
      );
      expect(
        (await refusal('third.jsonl', '{"a":1}\n\n{"a":2}\n{"a":x}\n', 'newline_delimited'))?.value,
      ).toBe(3);
      expect((await refusal('third.json', '[{"a":1},\n{"a":2},\n{"a":x}]', 'array'))?.value).toBe(3);
    } finally {
      engine.close();
      await rm(work, { recursive: true, force: true });
    }
  });

  it('is set aside only if it starts as the engine quoted it, however the record is spaced', () => {
    const quoted = '{"eventVersion":"1.09","eventTime":"2024-05-01T10:';
    expect(holdsQuoted('{ "eventVersion": "1.09",\n  "eventTime": "2024-05-01T10:00:00Z" }', quoted)).toBe(
      true,
    );
    expect(holdsQuoted('{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z"}', quoted)).toBe(false);
    expect(holdsQuoted('{"anything":1}', null)).toBe(true);
  });

  it('is set aside when the object the engine quotes is inside it, as a duplicate key in `userIdentity` is', () => {
    const quoted = '{"type":"IAMUser","principalId":"AIDAEXAMPLEEXAMPL';
    const record =
      '{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEEXAMPLE","type":"Root"}}';
    expect(holdsQuoted(record, quoted)).toBe(true);
    expect(holdsQuoted('{"eventVersion":"1.09","userIdentity":{"type":"Root"}}', quoted)).toBe(false);
  });

  it('is matched with its escapes decoded, as the engine writes the start it quotes, even one the quote cuts in two', () => {
    const quoted = '{"eventVersion":"1.09","eventTime":"2024-05-01T10:';
    expect(holdsQuoted('{"eventVersion":"1.09","eventTime":"2024-05-01T1\\u0030:00:00Z"}', quoted)).toBe(
      true,
    );
    expect(holdsQuoted('{"a":"x/y","b":"\\"q\\""}', '{"a":"x\\/y","b":"\\"q\\""}')).toBe(true);
    expect(holdsQuoted('{"a":"\\u00e9t\\u00e9"}', '{"a":"été"}')).toBe(true);
    expect(holdsQuoted('{"a":"été"}', '{"a":"\\u00')).toBe(true);
    expect(holdsQuoted('{"a":"b\\"c"}', '{"a":"b","c"')).toBe(false);
  });
});
