/**
 * Splits a file's decoded bytes into records without decoding or parsing them, so that invalid
 * UTF-8, broken JSON or a pathological record is one record's problem, not the file's. JSON's
 * structural characters are ASCII and never occur inside a multi-byte UTF-8 sequence, so scanning
 * bytes is exact even where the text is not valid UTF-8.
 */
export type RecordFraming =
  /** One record per line (JSON lines, text logs); blank lines are no records. */
  | { kind: 'lines' }
  /** The elements of a JSON list: the value of `key` in the top object (`Records`), or the top value itself. */
  | { kind: 'list'; key: string | null };

export interface RawRecord {
  /** The record's bytes; empty when it was larger than the bound (`oversized`). */
  bytes: Buffer;
  /** `line 7` or `record 3`: where a responder finds it in the decoded file. */
  position: string;
  /** The record's number in the file: its line number, or its place in the list. */
  index: number;
  oversized: boolean;
}

/** How the records ended: null when the file's framing closed properly. */
export interface SplitOutcome {
  cutOff: string | null;
}

const NEWLINE = 0x0a;
/** Bytes searched for the list's key before the file is declared not to hold it. */
const KEY_SEARCH_LIMIT = 1_048_576;

export async function* splitRecords(
  chunks: AsyncIterable<Buffer>,
  framing: RecordFraming,
  maxRecordBytes: number,
): AsyncGenerator<RawRecord, SplitOutcome> {
  const splitter =
    framing.kind === 'lines'
      ? new LineSplitter(maxRecordBytes)
      : new ListSplitter(framing.key, maxRecordBytes);
  for await (const chunk of chunks) yield* splitter.feed(chunk);
  yield* splitter.rest();
  return splitter.end();
}

/** Collects one record's bytes across chunks, dropping them once past the bound. */
class RecordBuffer {
  private parts: Buffer[] = [];
  private size = 0;
  oversized = false;

  constructor(private readonly limit: number) {}

  add(part: Buffer): void {
    if (this.oversized) return;
    this.size += part.length;
    if (this.size > this.limit) {
      this.oversized = true;
      this.parts = [];
    } else this.parts.push(Buffer.from(part));
  }

  take(position: string, index: number): RawRecord {
    const record = { bytes: Buffer.concat(this.parts), position, index, oversized: this.oversized };
    this.parts = [];
    this.size = 0;
    this.oversized = false;
    return record;
  }

  get empty(): boolean {
    return this.size === 0;
  }
}

class LineSplitter {
  private line = 0;
  private readonly current: RecordBuffer;

  constructor(limit: number) {
    this.current = new RecordBuffer(limit);
  }

  *feed(chunk: Buffer): Generator<RawRecord> {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      this.current.add(chunk.subarray(start, end));
      start = end + 1;
      const record = this.emit();
      if (record) yield record;
    }
    if (start < chunk.length) this.current.add(chunk.subarray(start));
  }

  end(): SplitOutcome {
    return { cutOff: null };
  }

  /** The last line needs no line break, so the splitter's caller takes it with `rest`. */
  *rest(): Generator<RawRecord> {
    if (!this.current.empty) {
      const record = this.emit();
      if (record) yield record;
    }
  }

  private emit(): RawRecord | null {
    this.line += 1;
    const record = this.current.take(`line ${this.line}`, this.line);
    const text = stripCarriageReturn(this.line === 1 ? stripByteOrderMark(record.bytes) : record.bytes);
    if (!record.oversized && isBlank(text)) return null;
    return { ...record, bytes: text };
  }
}

function stripCarriageReturn(bytes: Buffer): Buffer {
  return bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, -1) : bytes;
}

function stripByteOrderMark(bytes: Buffer): Buffer {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}

type ListState = 'seeking' | 'between' | 'element' | 'closed';

/** The longest member name after a list that is compared with the list's key. */
const MEMBER_NAME_BYTES = 64;

class ListSplitter {
  private state: ListState = 'seeking';
  private listMissing = false;
  private prefix: Buffer[] = [];
  private prefixBytes = 0;
  private index = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private readonly current: RecordBuffer;

  constructor(
    private readonly key: string | null,
    limit: number,
  ) {
    this.current = new RecordBuffer(limit);
  }

  *feed(chunk: Buffer): Generator<RawRecord> {
    if (this.state === 'closed') {
      if (!this.listMissing) this.tail(chunk);
      return;
    }
    if (this.state === 'seeking') {
      const rest = this.seek(chunk);
      if (rest === null) return;
      chunk = rest;
    }
    let start = this.state === 'element' ? 0 : -1;
    // The next backslash at or after the scan (chunk.length when there is none), found once per backslash.
    let nextBackslash = -1;
    for (let i = 0; i < chunk.length; i += 1) {
      if (this.inString && !this.escaped) {
        // Most of a record's bytes are inside strings: jump to the next quote or backslash natively.
        if (nextBackslash < i) {
          const found = chunk.indexOf(0x5c, i);
          nextBackslash = found === -1 ? chunk.length : found;
        }
        const quote = chunk.indexOf(0x22, i);
        const stop = Math.min(quote === -1 ? chunk.length : quote, nextBackslash);
        if (stop === chunk.length) break;
        i = stop;
      }
      const byte = chunk[i] as number;
      if (this.state === 'between') {
        if (byte === 0x5d) {
          this.closeList(chunk.subarray(i + 1));
          return;
        }
        if (byte === 0x2c || byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
        this.state = 'element';
        start = i;
        this.scalar = byte !== 0x7b && byte !== 0x5b;
        this.depth = this.scalar ? 0 : 1;
        this.inString = byte === 0x22;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === 0x5c) this.escaped = true;
        else if (byte === 0x22) {
          this.inString = false;
          if (this.scalar) {
            yield this.finish(chunk, start, i + 1);
          }
        }
      } else if (this.scalar) {
        if (
          byte === 0x2c ||
          byte === 0x5d ||
          byte === 0x20 ||
          byte === 0x0a ||
          byte === 0x0d ||
          byte === 0x09
        ) {
          yield this.finish(chunk, start, i);
          if (byte === 0x5d) {
            this.closeList(chunk.subarray(i + 1));
            return;
          }
        }
      } else if (byte === 0x22) this.inString = true;
      else if (byte === 0x7b || byte === 0x5b) this.depth += 1;
      else if (byte === 0x7d || byte === 0x5d) {
        this.depth -= 1;
        if (this.depth === 0) yield this.finish(chunk, start, i + 1);
      }
    }
    if (this.state === 'element') this.current.add(chunk.subarray(start));
  }

  end(): SplitOutcome {
    if (this.state === 'seeking' || this.listMissing)
      return { cutOff: this.key ? `no "${this.key}" list found` : 'no JSON list found' };
    if (this.state === 'element') return { cutOff: `record ${this.index + 1} is cut off (file truncated)` };
    if (this.state === 'between')
      return { cutOff: `the list ends after record ${this.index} without closing (file truncated)` };
    // After the list: nothing but space for a JSON array; for an object, its other members, its
    // closing brace and space. NUL padding (a file preallocated, or cut by a crash), text or a second
    // document after the end would be refused by the engine, or read unchecked: it is said, and the
    // file is read from its records alone.
    if (this.afterList.again)
      return {
        cutOff: `a second "${this.key}" list follows the first and was not read (${this.afterList.bytes} bytes after the first)`,
      };
    if (this.afterList.extra || this.afterList.depth !== 0)
      return { cutOff: `${this.afterList.bytes} bytes after the list's end are not JSON and were not read` };
    return { cutOff: null };
  }

  /**
   * What follows the list's closing bracket: its size, the depth still open, whether more follows the
   * end, and whether the object names a second list as the first (`again`: JSON.parse keeps the last
   * of two equal names, DuckDB refuses the file). `name` is the last string read in the object itself,
   * a member's name when a colon follows it.
   */
  private readonly afterList = {
    bytes: 0,
    depth: 0,
    inString: false,
    escaped: false,
    extra: false,
    again: false,
    name: null as number[] | null,
  };

  /** The list's closing bracket is read: an object around it is still open. */
  private closeList(rest: Buffer): void {
    this.state = 'closed';
    this.afterList.depth = this.key === null ? 0 : 1;
    this.tail(rest);
  }

  private tail(bytes: Buffer): void {
    const after = this.afterList;
    after.bytes += bytes.length;
    for (const byte of bytes) {
      if (after.extra) return;
      if (after.inString) {
        if (after.escaped) after.escaped = false;
        else if (byte === 0x5c) after.escaped = true;
        else if (byte === 0x22) {
          after.inString = false;
          continue;
        }
        // A name longer than any list's key is none of them.
        if (after.name && after.name.push(byte) > MEMBER_NAME_BYTES) after.name = null;
        continue;
      }
      if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
      const name = after.name;
      after.name = null;
      if (after.depth === 0 || byte === 0) after.extra = true;
      else if (byte === 0x3a && name && this.namesTheList(name)) after.extra = after.again = true;
      else if (byte === 0x22) {
        after.inString = true;
        after.name = after.depth === 1 ? [] : null;
      } else if (byte === 0x7b || byte === 0x5b) after.depth += 1;
      else if (byte === 0x7d || byte === 0x5d) after.depth -= 1;
    }
  }

  /** Whether a member's name, as its escaped bytes, is the list's key (`"Rec\u006frds"` is `"Records"`). */
  private namesTheList(name: number[]): boolean {
    try {
      return JSON.parse(`"${Buffer.from(name).toString('utf8')}"`) === this.key;
    } catch {
      return false;
    }
  }

  *rest(): Generator<RawRecord> {}

  private finish(chunk: Buffer, start: number, end: number): RawRecord {
    this.current.add(chunk.subarray(start, end));
    this.state = 'between';
    this.index += 1;
    return this.current.take(`record ${this.index}`, this.index);
  }

  /** Finds where the list's elements begin; null while the opening is not in the bytes seen yet. */
  private seek(chunk: Buffer): Buffer | null {
    this.prefix.push(chunk);
    this.prefixBytes += chunk.length;
    const seen = Buffer.concat(this.prefix);
    const text = seen.toString('latin1');
    const opening =
      this.key === null ? /^(?:\xEF\xBB\xBF)?\s*\[/.exec(text) : memberListOpening(text, this.key);
    if (!opening) {
      if (
        this.prefixBytes > KEY_SEARCH_LIMIT ||
        (this.key === null && /^(?:\xEF\xBB\xBF)?\s*[^\s[]/.test(text))
      ) {
        this.state = 'closed';
        this.listMissing = true;
        this.prefix = [];
      }
      return null;
    }
    this.prefix = [];
    this.state = 'between';
    return seen.subarray(opening.index + opening[0].length);
  }
}

/**
 * Where the object's own member `key` opens its list: a member of the object itself, not one of the
 * same name inside a member before it, nor a string holding its text (which JSON.parse, and the
 * engine reading the file in place, would never take for the list).
 */
function memberListOpening(text: string, key: string): RegExpExecArray | null {
  const opening = new RegExp(`"${key}"\\s*:\\s*\\[`, 'y');
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i += 1;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) {
      opening.lastIndex = i;
      const found = depth === 1 ? opening.exec(text) : null;
      if (found) return found;
      inString = true;
    } else if (ch === 0x7b || ch === 0x5b) depth += 1;
    else if (ch === 0x7d || ch === 0x5d) depth -= 1;
  }
  return null;
}
