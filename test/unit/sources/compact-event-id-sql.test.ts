import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbQueryEngine } from '../../../shared/local/adapters/duckdb-query-engine.js';
import {
  compactEventIdColumns,
  EVENT_ID_BYTES,
  EVENT_ID_TEXT,
  eventIdFromCopy,
} from '../../../shared/sources/compact-event-id-sql.js';
import { sqlString } from '../../../shared/sources/source-sql.js';

/**
 * The one-pass copy keeps CloudTrail's event id as its 16 bytes where it is a lower-case UUID, and as
 * text otherwise; the views over the copy must give every id back exactly as the log wrote it, since
 * the id is what a responder pulls the event by. The statements are the ones Athena runs, here on the
 * embedded engine.
 */
const IDS: [string, string | null][] = [
  ['a lower-case UUID, as CloudTrail writes it', '6f0e5d1a-0000-4000-8000-000000006401'],
  ['an upper-case UUID', '6F0E5D1A-0000-4000-8000-000000006401'],
  ['a UUID with a character too many', '6f0e5d1a-0000-4000-8000-0000000064011'],
  ['a UUID with spaces around it', ' 6f0e5d1a-0000-4000-8000-000000006401 '],
  ['a UUID without its dashes', '6f0e5d1a000040008000000000006401'],
  ['an id that is no UUID', 'evt-2024/05/31#1'],
  ['an empty id', ''],
  ['no id at all', null],
  ['a UUID with a line break after it', '6f0e5d1a-0000-4000-8000-000000006401\n'],
  ['a UUID with a carriage return and line break after it', '6f0e5d1a-0000-4000-8000-000000006401\r\n'],
];

/**
 * Trino's regular expressions use Java's pattern syntax (https://trino.io/docs/current/functions/regexp.html),
 * where `$` outside multi-line mode matches at the end of the input and also before a line terminator
 * that ends it (https://docs.oracle.com/javase/8/docs/api/java/util/regex/Pattern.html#lt); the embedded
 * engine's `$` matches only at the end. Athena's meaning, given to the embedded engine by rewriting each
 * pattern's closing `$`: an id test that trusted the anchor would hand `from_hex` a line break and fail
 * the whole copy in Athena alone.
 */
const withJavaEndAnchor = (sql: string) =>
  sql.replaceAll("$'", () => "(\\r\\n|[\\n\\r\\x{85}\\x{2028}\\x{2029}])?$'");

describe('the copy’s compact event id', () => {
  let engine: DuckDbQueryEngine;
  beforeAll(async () => {
    engine = await DuckDbQueryEngine.open();
    const values = IDS.map(([, id], i) => `(${i}, ${id === null ? 'NULL' : sqlString(id)})`).join(', ');
    await engine.execute(`CREATE TABLE logs AS SELECT * FROM (VALUES ${values}) AS t(n, eventid)`);
    await engine.execute(`CREATE TABLE copy AS SELECT n, ${compactEventIdColumns().join(', ')} FROM logs`);
  });
  afterAll(() => engine.close());

  it('decides as Athena does on an id a line terminator ends: it keeps that id as text', async () => {
    await engine.execute(
      `CREATE TABLE java_copy AS SELECT n, ${withJavaEndAnchor(compactEventIdColumns().join(', '))} FROM logs`,
    );
    const result = await engine.run(`SELECT n, ${eventIdFromCopy()} FROM java_copy ORDER BY n`, {
      maxRows: 100,
    });
    expect(result.rows.map((row) => row.eventid ?? null)).toEqual(IDS.map(([, id]) => id));
  });

  it.each(IDS.map(([what, id], n) => [what, id, n] as const))(
    'gives %s back exactly as written',
    async (_what, id, n) => {
      const result = await engine.run(`SELECT ${eventIdFromCopy()} FROM copy WHERE n = ${n}`, { maxRows: 1 });
      expect(result.rows[0]?.eventid ?? null).toBe(id);
    },
  );

  it('keeps a lower-case UUID in 16 bytes and no text, anything else as text and no bytes', async () => {
    const result = await engine.run(
      `SELECT n, octet_length("${EVENT_ID_BYTES}") AS bytes, "${EVENT_ID_TEXT}" AS text FROM copy ORDER BY n`,
      { maxRows: 100 },
    );
    const shapes = result.rows.map((row) => [
      row.bytes === null ? null : Number(row.bytes),
      row.text ?? null,
    ]);
    expect(shapes).toEqual(IDS.map(([, id], n) => (n === 0 ? [16, null] : [null, id])));
  });
});
