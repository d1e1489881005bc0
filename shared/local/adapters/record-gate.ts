import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import { createWriteStream, readFileSync, statSync, type WriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { InventoriedFile, QuarantinedRecord } from '../../domain/inventory.js';
import type { LogSourceModule } from '../../sources/log-source-module.js';
import { decodedBytes, gunzipMembers } from './decoded-bytes.js';
import { holdsQuoted, type Refusal } from './engine-refusal.js';
import { listInterior, type RecordPack } from './record-pack.js';
import { type RawRecord, type RecordFraming, splitRecords } from './record-splitter.js';

/** Kubernetes audit events with request and response bodies reach megabytes; anything past this is no log record. */
const MAX_RECORD_BYTES = 32 * 1024 * 1024;
/**
 * Real records nest a few dozen levels at most (policies inside request parameters); DuckDB's JSON
 * reader recurses per level and a record 20,000 levels deep crashes the process.
 */
export const MAX_NESTING_DEPTH = 128;
/** Quarantined records kept with their excerpt per file; the rest are counted. */
const QUARANTINE_ENTRIES_PER_FILE = 1_000;
const EXCERPT_BYTES = 512;

/** What the gate found in one file, and where the engine should read its good records from. */
export interface GatedFile {
  /** Records that fit and are read. */
  read: number;
  quarantinedCount: number;
  /** The first quarantined records, with position, reason and excerpt. */
  quarantined: QuarantinedRecord[];
  /** Values that did not parse as their column's type and are read as NULL. */
  nulledValues: number;
  /** Why the file's content ends early (a cut-off gzip, bytes after the gzip data, an unclosed list). */
  damage: string | null;
  /**
   * The file itself when every record fits as it stands, otherwise a cleaned copy; or the pack its
   * records were appended to (`packed`), where `size` is the bytes they took.
   */
  readFrom: InventoriedFile;
  packed?: true;
  /** With `refused` records, the records read, by their place in the file, in order. */
  kept?: number[];
  /** With `refused` records, whether one of them does not hold what the engine quoted of it: another record. */
  misplaced?: true;
}

const LIST_KEYS: Record<string, string | null> = {
  'records-object': 'Records',
  'lookup-events': 'Events',
  'json-array': null,
};

/**
 * Splits one file into records and checks each (size, UTF-8, nesting, JSON, the source's own check),
 * so a bad record is set aside with its position and reason and every other record is read. A file
 * with anything set aside is rewritten, good records only, in a layout the source's reader reads
 * (`json-lines` for JSON lists) under `cleanPath`; the file itself is read when nothing was.
 * Null for columnar files (Parquet), which have no records to split: their reader checks their schema.
 *
 * With a `pack`, a list file whose records all fit is appended to it, its records' own bytes, and
 * read from there (record-pack.ts). With `refused` records (by their place in the file, with the
 * engine's reason), those are set aside too and the file is always rewritten: what the engine reads
 * then is the `kept` records, in order; one that does not hold what the engine quoted is `misplaced`.
 */
export async function gateRecords(
  file: InventoriedFile,
  module: LogSourceModule,
  cleanPath: string,
  pack: RecordPack | null = null,
  refused: ReadonlyMap<number, Refusal> | null = null,
): Promise<GatedFile | null> {
  if (COLUMNAR_LAYOUTS.has(file.layout)) return null;
  if (refused) return rewritten(file, module, cleanPath, refused, true);
  const whole = await checkWholeList(file, module);
  if (whole) {
    const { bytes, value, ...checked } = whole;
    const interior = pack && checked.read > 0 ? listInterior(bytes, file.layout, value) : null;
    if (!pack || interior === null) return { ...checked, readFrom: file };
    const size = pack.append(bytes.subarray(...interior));
    const readFrom = { ...file, path: pack.path, layout: 'json-array', compressed: false, size };
    return { ...checked, readFrom, packed: true };
  }
  const first = await scan(file, module, null);
  const clean = first.quarantinedCount === 0 && first.nulledValues === 0 && first.damage === null;
  if (clean) return { ...first, readFrom: file };
  return rewritten(file, module, cleanPath, new Map(), false);
}

/** The file's records that fit (and were not refused) written under `cleanPath`, one a line for JSON lists. */
async function rewritten(
  file: InventoriedFile,
  module: LogSourceModule,
  cleanPath: string,
  refused: ReadonlyMap<number, Refusal>,
  keep: boolean,
): Promise<GatedFile> {
  await mkdir(dirname(cleanPath), { recursive: true });
  const output = createWriteStream(cleanPath);
  const kept: number[] = [];
  const scanned = await scan(file, module, { output, refused, kept });
  output.end();
  await once(output, 'finish');
  const layout = file.layout in LIST_KEYS ? 'json-lines' : file.layout;
  // The copy's own size: the conversion sizes its batches by it.
  const size = (await stat(cleanPath)).size;
  const readFrom = { ...file, path: cleanPath, layout, compressed: false, size };
  return { ...scanned, readFrom, ...(keep ? { kept } : {}) };
}

const COLUMNAR_LAYOUTS = new Set(['parquet']);
/** Levels a list file adds above its records: `{"Records": [ record ]}` and `[ record ]`. */
const LIST_WRAPPER_DEPTH: Record<string, number> = { 'records-object': 2, 'json-array': 1 };
/** Files up to this size on disk are checked whole, in memory, when they are lists of records. */
const WHOLE_CHECK_FILE_BYTES = 8 * 1024 * 1024;

/**
 * The fast path for the common clean file (a CloudTrail delivery file): the whole file checked at
 * once with native code (gzip, UTF-8, one JSON.parse) instead of record by record. It answers only
 * when every record passes every check the record-by-record scan makes: the decoded file is within
 * one record's bound, valid UTF-8, nested no deeper than a record may be plus the list around it,
 * valid JSON holding the list, and each element passes the source's own check with nothing nulled.
 * Anything else (damage, a bad record, another layout) returns null and the file is scanned record
 * by record, which finds what to set aside and where.
 */
async function checkWholeList(
  file: InventoriedFile,
  module: LogSourceModule,
): Promise<(Scanned & { bytes: Buffer; value: unknown }) | null> {
  const wrapper = LIST_WRAPPER_DEPTH[file.layout];
  // Read synchronously: the gate runs on worker threads of its own, and for a file of a few records
  // fs/promises' handle and promise per call cost more than the check (20,000 files of 20 records:
  // 7.5 s with readFile and stat, 2.8 s with their synchronous forms).
  if (wrapper === undefined || statSync(file.path).size > WHOLE_CHECK_FILE_BYTES) return null;
  let bytes: Buffer = readFileSync(file.path);
  if (file.compressed) {
    const { output, damage } = gunzipMembers(bytes);
    if (damage !== null) return null;
    bytes = output.length === 1 ? (output[0] as Buffer) : Buffer.concat(output);
  }
  if (bytes.length > MAX_RECORD_BYTES || !isUtf8(bytes)) return null;
  const listKey = LIST_KEYS[file.layout];
  // Two members of the list's name: JSON.parse keeps the last, the engine refuses the file, the scan
  // reads the first and says so. (The name escaped differently is left to the engine.)
  if (listKey && bytes.indexOf(`"${listKey}"`) !== bytes.lastIndexOf(`"${listKey}"`)) return null;
  let value: unknown;
  try {
    // V8's JSON.parse is iterative: a pathologically deep file parses without exhausting the stack.
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  const list = listKey ? (value as Record<string, unknown> | null)?.[listKey] : value;
  if (!Array.isArray(list) || deeperThan(value as object, MAX_NESTING_DEPTH + wrapper)) return null;
  if (mayEscapeSurrogate(bytes) && holdsLoneSurrogate(value)) return null;
  if (module.checkRecord) {
    for (let i = 0; i < list.length; i += 1) {
      const check = module.checkRecord(list[i], file.layout, i + 1);
      if ('problem' in check || check.nulled.length > 0) return null;
    }
  }
  return {
    read: list.length,
    quarantinedCount: 0,
    quarantined: [],
    nulledValues: 0,
    damage: null,
    bytes,
    value,
  };
}

type Scanned = Omit<GatedFile, 'readFrom'>;

async function scan(
  file: InventoriedFile,
  module: LogSourceModule,
  writing: { output: WriteStream; refused: ReadonlyMap<number, Refusal>; kept: number[] } | null,
): Promise<Scanned> {
  const listKey = LIST_KEYS[file.layout];
  const framing: RecordFraming = listKey === undefined ? { kind: 'lines' } : { kind: 'list', key: listKey };
  const json = framing.kind === 'list' || file.layout === 'json-lines';
  const result: Scanned = { read: 0, quarantinedCount: 0, quarantined: [], nulledValues: 0, damage: null };
  const bytes = await decodedBytes(file.path, file.compressed);
  const records = splitRecords(bytes.chunks, framing, MAX_RECORD_BYTES);
  for (;;) {
    const next = await records.next();
    if (next.done) {
      result.damage = [bytes.damage(), next.value.cutOff].filter((d) => d !== null).join('; ') || null;
      return result;
    }
    const refusal = writing?.refused.get(next.value.index);
    if (refusal && !holdsQuoted(readText(next.value.bytes.toString('utf8'), file.layout), refusal.quoted))
      result.misplaced = true;
    const outcome = refusal
      ? { problem: refusal.reason }
      : checkRecord(next.value, module, file.layout, json);
    if ('problem' in outcome) {
      result.quarantinedCount += 1;
      if (result.quarantined.length < QUARANTINE_ENTRIES_PER_FILE) {
        result.quarantined.push({
          source: module.id,
          file: file.path,
          position: next.value.position,
          reason: outcome.problem,
          excerpt: next.value.bytes.subarray(0, EXCERPT_BYTES).toString('utf8'),
        });
      }
      continue;
    }
    if (!outcome.header) result.read += 1;
    result.nulledValues += outcome.nulled;
    if (!writing) continue;
    if (!outcome.header) writing.kept.push(next.value.index);
    if (!writing.output.write(`${outcome.line}\n`)) await once(writing.output, 'drain');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

type Checked = { problem: string } | { line: string; nulled: number; header?: boolean };

function checkRecord(raw: RawRecord, module: LogSourceModule, layout: string, json: boolean): Checked {
  if (raw.oversized) return { problem: `record larger than ${MAX_RECORD_BYTES} bytes` };
  let text: string;
  try {
    text = utf8.decode(raw.bytes);
  } catch {
    return { problem: 'not valid UTF-8' };
  }
  if (nestingDepth(text) > MAX_NESTING_DEPTH)
    return { problem: `nested deeper than ${MAX_NESTING_DEPTH} levels` };
  if (!json) {
    const check = module.checkRecord?.(text, layout, raw.index) ?? { nulled: [] };
    if ('problem' in check) return check;
    return { line: check.replacement ?? text, nulled: check.nulled.length, header: check.header === true };
  }
  const parsed = parseRecord(text, layout);
  if ('problem' in parsed) return parsed;
  if (mayEscapeSurrogate(parsed.text) && holdsLoneSurrogate(parsed.value))
    return {
      problem:
        'holds half of a UTF-16 surrogate pair (an escape such as \\ud800 alone), which no UTF-8 reader takes',
    };
  const check = module.checkRecord?.(parsed.value, layout, raw.index) ?? { nulled: [] };
  if ('problem' in check) return check;
  // Raw line breaks in JSON are whitespace between tokens, so the record's own text becomes one line.
  const line = check.nulled.length > 0 ? JSON.stringify(parsed.value) : parsed.text.replace(/[\r\n]+/g, ' ');
  return { line, nulled: check.nulled.length };
}

/** The text the engine reads of a record: a `lookup-events` element's event, which a cleaned copy holds. */
function readText(text: string, layout: string): string {
  if (layout !== 'lookup-events') return text;
  const parsed = parseRecord(text, layout);
  return 'text' in parsed ? parsed.text : text;
}

/** The record as JSON; a `lookup-events` element is the event its `CloudTrailEvent` string holds. */
function parseRecord(text: string, layout: string): { problem: string } | { value: unknown; text: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `not valid JSON: ${(error as Error).message}` };
  }
  if (layout !== 'lookup-events') return { value, text };
  const event = (value as { CloudTrailEvent?: unknown } | null)?.CloudTrailEvent;
  if (typeof event !== 'string') return { problem: 'no `CloudTrailEvent` string in the lookup result' };
  if (nestingDepth(event) > MAX_NESTING_DEPTH)
    return { problem: `\`CloudTrailEvent\` nested deeper than ${MAX_NESTING_DEPTH} levels` };
  return parseRecord(event, 'json-lines');
}

/**
 * JSON may escape half of a UTF-16 surrogate pair (`"\ud800"`, RFC 8259 section 8.2 leaves it
 * undefined): JSON.parse takes it, DuckDB refuses the whole file. A record holding one is set aside.
 * The escape in the text is the cheap test; the parsed strings say whether a pair is broken.
 */
function mayEscapeSurrogate(text: string | Buffer): boolean {
  return text.indexOf('\\ud') >= 0 || text.indexOf('\\uD') >= 0;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function holdsLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(holdsLoneSurrogate);
  return Object.entries(value).some(([key, inner]) => LONE_SURROGATE.test(key) || holdsLoneSurrogate(inner));
}

/**
 * Whether a parsed value nests objects and lists deeper than `levels` (the value itself is level 1).
 * Recursive, but never deeper than `levels` calls: it answers as soon as it reaches the level past
 * the limit, however deep the value goes. Measured on the bench corpus: 0.3 s per million records,
 * where walking with an explicit stack and `Object.values` took 0.7.
 */
function deeperThan(value: object, levels: number): boolean {
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (const inner of value) {
      if (typeof inner === 'object' && inner !== null && deeperThan(inner, levels - 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    const inner = (value as Record<string, unknown>)[key];
    if (typeof inner === 'object' && inner !== null && deeperThan(inner, levels - 1)) return true;
  }
  return false;
}

/** The deepest nesting of objects and lists outside strings; iterative, so any depth is safe to measure. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  let backslash = text.indexOf('\\');
  for (let i = 0; i < text.length; i += 1) {
    if (inString) {
      // Jump over the string's text natively: only a quote or a backslash matters inside it.
      const quote = text.indexOf('"', i);
      if (quote === -1) break;
      if (backslash !== -1 && backslash < i) backslash = text.indexOf('\\', i);
      if (backslash !== -1 && backslash < quote) {
        i = backslash + 1;
        backslash = text.indexOf('\\', i + 1);
        continue;
      }
      i = quote;
      inString = false;
      continue;
    }
    const ch = text.charCodeAt(i);
    if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (ch === 0x7d || ch === 0x5d) depth -= 1;
  }
  return deepest;
}
