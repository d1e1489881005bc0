import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { InventoriedFile } from '../../../../shared/domain/inventory.js';
import { gunzipMembers } from '../../../../shared/local/adapters/decoded-bytes.js';
import { readFileHead } from '../../../../shared/local/adapters/read-file-head.js';
import {
  gateRecords,
  MAX_NESTING_DEPTH,
  nestingDepth,
} from '../../../../shared/local/adapters/record-gate.js';
import { splitRecords } from '../../../../shared/local/adapters/record-splitter.js';
import { classifyLogFile } from '../../../../shared/sources/classify-log-file.js';
import { cloudtrailSource } from '../../../../shared/sources/cloudtrail-source.js';

async function* chunks(...parts: (string | Buffer)[]): AsyncIterable<Buffer> {
  for (const part of parts) yield Buffer.from(part);
}

async function split(framing: Parameters<typeof splitRecords>[1], ...parts: (string | Buffer)[]) {
  const records: string[] = [];
  const iterator = splitRecords(chunks(...parts), framing, 1024);
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { records, cutOff: next.value.cutOff };
    records.push(
      `${next.value.position}: ${next.value.oversized ? '<oversized>' : next.value.bytes.toString()}`,
    );
  }
}

describe('splitting decoded bytes into records', () => {
  it('takes each element of a list, whatever its type, across chunk boundaries and through strings holding brackets', async () => {
    expect(
      await split(
        { kind: 'list', key: 'Records' },
        '{"Records": [{"a":"}]"}, 4',
        '2, "x", [1,',
        '2], {"b":{}}]}',
      ),
    ).toEqual({
      records: [
        'record 1: {"a":"}]"}',
        'record 2: 42',
        'record 3: "x"',
        'record 4: [1,2]',
        'record 5: {"b":{}}',
      ],
      cutOff: null,
    });
  });

  it('takes the list the object itself names, not one of the same name inside a member before it', async () => {
    expect(
      await split(
        { kind: 'list', key: 'Records' },
        '{"meta":{"Reco',
        'rds":[{}]},"note":"\\"Records\\":[","Records"',
        ' : [{"a":1},',
        '{"b":2}]}',
      ),
    ).toEqual({ records: ['record 1: {"a":1}', 'record 2: {"b":2}'], cutOff: null });
  });

  it('says a second list of the object’s name follows the first, however the name is escaped or cut', async () => {
    expect(
      await split(
        { kind: 'list', key: 'Records' },
        '{"Records":[{"a":1}],"x":"Records", "Rec',
        '\\u006frds" : [{"b":2}]}',
      ),
    ).toEqual({
      records: ['record 1: {"a":1}'],
      cutOff: 'a second "Records" list follows the first and was not read (43 bytes after the first)',
    });
    expect(
      await split(
        { kind: 'list', key: 'Records' },
        '{"Records":[{"a":1}],"x":{"Records":[]},"y":["Records"]}',
      ),
    ).toEqual({
      records: ['record 1: {"a":1}'],
      cutOff: null,
    });
  });

  it('keeps an escaped quote inside its string when the chunk ends between the backslash and the quote', async () => {
    expect(await split({ kind: 'list', key: null }, '[{"a":"x\\', '"}]"},{"b":"\\\\"}]')).toEqual({
      records: ['record 1: {"a":"x\\"}]"}', 'record 2: {"b":"\\\\"}'],
      cutOff: null,
    });
  });

  it('says which record a cut-off list ends in, and when the list is missing', async () => {
    expect(await split({ kind: 'list', key: null }, '[{"a":1},{"b":')).toEqual({
      records: ['record 1: {"a":1}'],
      cutOff: 'record 2 is cut off (file truncated)',
    });
    expect(await split({ kind: 'list', key: null }, '[{"a":1},')).toEqual({
      records: ['record 1: {"a":1}'],
      cutOff: 'the list ends after record 1 without closing (file truncated)',
    });
    expect((await split({ kind: 'list', key: 'Records' }, '{"Events":[]}')).cutOff).toBe(
      'no "Records" list found',
    );
  });

  it('numbers lines as a responder counts them, skipping blank ones, without a final line break or CRs', async () => {
    expect(await split({ kind: 'lines' }, '\uFEFFfirst\r\n\n  \nsec', 'ond\r\nlast')).toEqual({
      records: ['line 1: first', 'line 4: second', 'line 5: last'],
      cutOff: null,
    });
  });

  it('drops the bytes of a record past the bound but keeps its place', async () => {
    expect(await split({ kind: 'lines' }, `${'x'.repeat(2000)}\nnext\n`)).toEqual({
      records: ['line 1: <oversized>', 'line 2: next'],
      cutOff: null,
    });
  });
});

describe('decoding gzip member by member (RFC 1952 section 2.2: a file may hold several members)', () => {
  it('reads concatenated members, and stops at bytes that are not gzip, saying where', () => {
    const member = gzipSync('one ');
    const { output, damage } = gunzipMembers(Buffer.concat([member, gzipSync('two'), Buffer.from('junk')]));
    expect(Buffer.concat(output).toString()).toBe('one two');
    expect(damage).toBe(
      `4 bytes after the gzip data at byte ${member.length + gzipSync('two').length} are not gzip and were not read`,
    );
  });

  it('keeps what decodes before a cut', () => {
    const text = 'line\n'.repeat(20_000);
    const whole = gzipSync(text);
    const { output, damage } = gunzipMembers(whole.subarray(0, Math.floor(whole.length / 2)));
    const decoded = Buffer.concat(output).toString();
    expect(decoded.length).toBeGreaterThan(0);
    expect(text.startsWith(decoded)).toBe(true);
    expect(damage).toBe('gzip data cut off (file truncated)');
  });

  it('refuses a member whose checksum does not match its data', () => {
    const member = gzipSync('hello');
    member.writeUInt32LE((member.readUInt32LE(member.length - 8) + 1) >>> 0, member.length - 8);
    expect(gunzipMembers(member).damage).toMatch(/^gzip checksum mismatch/);
  });
});

describe('measuring nesting without recursion', () => {
  it('counts objects and lists, not brackets inside strings', () => {
    expect(nestingDepth('{"a":[{"b":"[[[{{{"}]}')).toBe(3);
    expect(nestingDepth(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBe(100_000);
  });
});

describe('the record gate on CloudTrail files', () => {
  const file = async (name: string, body: string | Buffer, layout: string, compressed = false) => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-gate-'));
    const path = join(dir, name);
    await writeFile(path, body);
    return {
      file: { path, size: 0, layout, compressed } satisfies InventoriedFile,
      clean: join(dir, 'clean', name),
    };
  };
  const record = (fields: Record<string, unknown> = {}) =>
    JSON.stringify({
      eventVersion: '1.09',
      eventTime: '2024-05-01T10:00:00Z',
      eventSource: 's',
      eventName: 'n',
      ...fields,
    });

  it('reads a clean file in place', async () => {
    const { file: clean, clean: cleanPath } = await file(
      'clean.json',
      `{"Records":[${record()},${record()}]}`,
      'records-object',
    );
    const gated = await gateRecords(clean, cloudtrailSource, cleanPath);
    expect(gated).toMatchObject({ read: 2, quarantinedCount: 0, damage: null, readFrom: clean });
  });

  describe('a compressed delivery file checked whole, in memory', () => {
    const nested = (levels: number) => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

    it('is read in place when its deepest record is exactly as deep as a record may be', async () => {
      const body = `{"Records":[${record()},${record({ requestParameters: nested(MAX_NESTING_DEPTH - 1) })}]}`;
      const { file: gz, clean } = await file('deep.json.gz', gzipSync(body), 'records-object', true);
      expect(await gateRecords(gz, cloudtrailSource, clean)).toMatchObject({ read: 2, readFrom: gz });
    });

    it('gives up only the record one level deeper, and the one with bytes that are not UTF-8', async () => {
      const tooDeep = record({ requestParameters: nested(MAX_NESTING_DEPTH) });
      const latin1 = Buffer.from(record({ eventName: 'caf\xe9' }), 'latin1');
      const body = Buffer.concat([
        Buffer.from(`{"Records":[${record({ n: 1 })},${tooDeep},`),
        latin1,
        Buffer.from(']}'),
      ]);
      const { file: gz, clean } = await file('mixed.json.gz', gzipSync(body), 'records-object', true);
      const gated = await gateRecords(gz, cloudtrailSource, clean);
      expect(gated?.quarantined.map((q) => [q.position, q.reason])).toEqual([
        ['record 2', `nested deeper than ${MAX_NESTING_DEPTH} levels`],
        ['record 3', 'not valid UTF-8'],
      ]);
      expect(gated?.read).toBe(1);
      expect(await readFile(clean, 'utf8')).toBe(`${record({ n: 1 })}\n`);
    });

    it('reads a cut-off file up to the damage, as the record-by-record scan does', async () => {
      const whole = gzipSync(`{"Records":[${record({ n: 1 })},${record({ n: 2 })}]}`);
      const { file: gz, clean } = await file(
        'cut.json.gz',
        whole.subarray(0, whole.length - 12),
        'records-object',
        true,
      );
      const gated = await gateRecords(gz, cloudtrailSource, clean);
      expect(gated?.damage).toMatch(/cut off|truncated|end/i);
      expect(gated?.readFrom.path).toBe(clean);
    });
  });

  it('rewrites a file with a bad record as one good record a line, in the layout the reader reads', async () => {
    const deep = `${'['.repeat(MAX_NESTING_DEPTH + 1)}${']'.repeat(MAX_NESTING_DEPTH + 1)}`;
    const body = `[${record({ n: 1 })},\n${record({ requestParameters: JSON.parse(deep) })},\n${record({ userIdentity: [] })}]`;
    const { file: damaged, clean } = await file('array.json', body, 'json-array');
    const gated = await gateRecords(damaged, cloudtrailSource, clean);
    expect(gated?.quarantined.map((q) => [q.position, q.reason])).toEqual([
      ['record 2', `nested deeper than ${MAX_NESTING_DEPTH} levels`],
      ['record 3', '`userIdentity` is a list, not an object'],
    ]);
    // The copy's own size, which the conversion sizes its batches by.
    const size = Buffer.byteLength(`${record({ n: 1 })}\n`);
    expect(gated?.readFrom).toEqual({ path: clean, size, layout: 'json-lines', compressed: false });
    expect(await readFile(clean, 'utf8')).toBe(`${record({ n: 1 })}\n`);
  });

  it('sets aside a record holding half of a UTF-16 surrogate pair (RFC 8259 section 8.2), and reads one holding a whole pair', async () => {
    const body = `{"Records":[${record({ n: 1 })},${record({ n: 2 }).replace('}', ',"userAgent":"\\ud800x"}')},${record({ n: 3 }).replace('}', ',"userAgent":"\\ud83d\\ude00"}')}]}`;
    const { file: gz, clean } = await file('surrogate.json.gz', gzipSync(body), 'records-object', true);
    const gated = await gateRecords(gz, cloudtrailSource, clean);
    expect(gated?.quarantined.map((q) => [q.position, q.reason])).toEqual([
      ['record 2', expect.stringMatching(/^holds half of a UTF-16 surrogate pair/)],
    ]);
    expect(gated?.read).toBe(2);
    expect(
      (await readFile(clean, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).n),
    ).toEqual([1, 3]);
  });

  it('says what follows a list that is not JSON (NUL padding, text after the end), and reads every record before it', async () => {
    const list = `{"Records":[${record({ n: 1 })},${record({ n: 2 })}]}`;
    for (const tail of [Buffer.alloc(64), Buffer.from('\n{"Records":[]}'), Buffer.from('x')]) {
      const { file: padded, clean } = await file(
        'padded.json',
        Buffer.concat([Buffer.from(list), tail]),
        'records-object',
      );
      const gated = await gateRecords(padded, cloudtrailSource, clean);
      expect(gated?.damage).toMatch(/bytes after the list's end are not JSON and were not read$/);
      expect(gated).toMatchObject({ read: 2, quarantinedCount: 0, readFrom: { path: clean } });
    }
  });

  it('reads the first of two lists of the same name and says the second was not read, where JSON.parse keeps the last and DuckDB refuses the file', async () => {
    for (const [second, compressed] of [
      ['"Records"', false],
      ['"Records"', true],
    ] as const) {
      const body = `{"Records":[${record({ n: 1 })},${record({ n: 2 })}], ${second} : [${record({ n: 3 })}]}`;
      const { file: twice, clean } = await file(
        'twice.json',
        compressed ? gzipSync(body) : body,
        'records-object',
        compressed,
      );
      const gated = await gateRecords(twice, cloudtrailSource, clean);
      expect(gated?.read, second).toBe(2);
      expect(gated?.damage, second).toMatch(/^a second "Records" list follows the first and was not read/);
      expect(gated?.readFrom.path).toBe(clean);
    }
  });

  it('reads in place a list followed by space, or by the object’s other members', async () => {
    for (const body of [
      `{"Records":[${record()}]}\r\n  `,
      `{"Records":[${record()}], "Next": {"a": [1]}}`,
      `[${record()}]\n`,
    ]) {
      const layout = body.startsWith('[') ? 'json-array' : 'records-object';
      const { file: fine, clean } = await file('fine.json', `${body}`, layout);
      expect(await gateRecords(fine, cloudtrailSource, clean)).toMatchObject({
        read: 1,
        damage: null,
        readFrom: fine,
      });
    }
  });

  it('unwraps lookup-events output and checks the event each CloudTrailEvent string holds', async () => {
    const body = JSON.stringify({
      Events: [
        { CloudTrailEvent: record({ a: 1 }) },
        { CloudTrailEvent: record({ resources: 'x' }) },
        { EventId: 'e' },
      ],
    });
    const { file: lookup, clean } = await file('lookup.json', body, 'lookup-events');
    const gated = await gateRecords(lookup, cloudtrailSource, clean);
    expect(gated?.quarantined.map((q) => [q.position, q.reason])).toEqual([
      ['record 2', '`resources` is a string, not a list'],
      ['record 3', 'no `CloudTrailEvent` string in the lookup result'],
    ]);
    expect(await readFile(clean, 'utf8')).toBe(`${record({ a: 1 })}\n`);
  });
});

describe('recognising a file whose first record is large', () => {
  it('stops at the first record of a delivery file, not at the end of the object around the list', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-head-'));
    const path = join(dir, 'trail.json.gz');
    const record = '{"eventVersion":"1.09","eventSource":"s","eventName":"n","requestParameters":{"p":"x"}}';
    await writeFile(path, gzipSync(`{"Records":[${Array(20_000).fill(record).join(',')}]}`));
    const head = await readFileHead(path);
    expect(head.text.length).toBeLessThanOrEqual(16_384);
    expect(classifyLogFile(head.text)).toMatchObject({ source: 'cloudtrail', layout: 'records-object' });
  });

  it('decodes only the start of a large gzip file: its first 16 KiB exactly, whatever damage lies further on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-head-'));
    const path = join(dir, 'trail.json.gz');
    const records = Array.from(
      { length: 20_000 },
      (_, i) => `{"eventVersion":"1.09","eventSource":"s","eventName":"n${i}"}`,
    );
    const content = `{"Records":[${records.join(',')}]}`;
    const gzip = gzipSync(content);
    gzip.fill(0xff, gzip.length - 1_000);
    await writeFile(path, gzip);
    const head = await readFileHead(path);
    expect(head.text).toBe(content.slice(0, 16_384));
    expect(head.damage).toBeUndefined();
  });

  it('keeps the readable start of a cut-off gzip file shorter than a head, and says why it ends', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-head-'));
    const path = join(dir, 'trail.json.gz');
    const records = Array.from(
      { length: 200 },
      (_, i) => `{"eventVersion":"1.09","eventSource":"s","eventName":"n${i}"}`,
    );
    const content = `{"Records":[${records.join(',')}]}`;
    const gzip = gzipSync(content);
    await writeFile(path, gzip.subarray(0, Math.floor(gzip.length / 2)));
    const head = await readFileHead(path);
    expect(head.text.length).toBeGreaterThan(0);
    expect(content.startsWith(head.text)).toBe(true);
    expect(head.damage).toMatch(/.+/);
  });

  it('reads past 16 KiB until the first record is complete', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'casefile-head-'));
    const path = join(dir, 'trail.json.gz');
    const first = `{"eventVersion":"1.09","requestParameters":{"p":"${'x'.repeat(40_000)}"},"eventSource":"s","eventName":"n"}`;
    await writeFile(path, gzipSync(`{"Records":[${first}]}`));
    const head = await readFileHead(path);
    expect(classifyLogFile(head.text)).toEqual({
      kind: 'log',
      source: 'cloudtrail',
      layout: 'records-object',
    });
  });
});
