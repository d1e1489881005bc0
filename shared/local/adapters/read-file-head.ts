import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { decodedBytes, decodedInMemory, FRAMED_DECODE_LIMIT } from './decoded-bytes.js';

const GZIP_MAGIC = [0x1f, 0x8b];
const FIRST_READ = 16_384;
/** Detection needs the first record whole; a record larger than this is not read to decide. */
const HEAD_LIMIT = 1_048_576;

export interface FileHead {
  /** The file's size on disk when its head was read. */
  size: number;
  compressed: boolean;
  text: string;
  /** Why a gzip file's content ends before the head did (its start is still in `text`). */
  damage?: string;
}

/**
 * The first decompressed bytes of a file (gunzipped when it is gzip whatever its name): 16 KiB,
 * or more, up to `limit`, until the first record is complete, so a detector sees the whole first
 * record even when it starts with kilobytes of request parameters.
 *
 * The file is read with synchronous calls on one descriptor: an inventory reads the head of every
 * file, CloudTrail delivers a file per region every few minutes, and for a file of a few records
 * fs/promises' handle, stats and promises cost more than the read (51,000 files: 15 s). Each call
 * first yields to the event loop, so a long inventory never holds the rest of the process.
 */
export async function readFileHead(path: string, limit = HEAD_LIMIT): Promise<FileHead> {
  await new Promise((resolve) => setImmediate(resolve));
  const fd = openSync(path, 'r');
  try {
    const file = { fd, path, size: fstatSync(fd).size };
    const start = readAt(file, 2);
    const compressed = start.length === 2 && start[0] === GZIP_MAGIC[0] && start[1] === GZIP_MAGIC[1];
    let bytes = Math.min(FIRST_READ, limit);
    for (;;) {
      const { text, complete, damage } = await readPrefix(file, compressed, bytes);
      if (complete || bytes >= limit || firstRecordComplete(text))
        return { size: file.size, compressed, text, ...(damage ? { damage } : {}) };
      bytes = Math.min(bytes * 4, limit);
    }
  } finally {
    closeSync(fd);
  }
}

interface OpenFile {
  fd: number;
  path: string;
  size: number;
}

/** The first `bytes` of the content; `complete` when the content is no longer than that. */
async function readPrefix(file: OpenFile, compressed: boolean, bytes: number) {
  const { raw, damage } = compressed
    ? await gunzipPrefix(file, bytes + 1)
    : { raw: readAt(file, bytes + 1), damage: null };
  return { text: raw.subarray(0, bytes).toString('utf8'), complete: raw.length <= bytes, damage };
}

function readAt(file: OpenFile, bytes: number): Buffer {
  const raw = Buffer.alloc(Math.min(bytes, file.size));
  let read = 0;
  while (read < raw.length) {
    const n = readSync(file.fd, raw, read, raw.length - read, read);
    if (n === 0) break;
    read += n;
  }
  return raw.subarray(0, read);
}

/**
 * A line ends, or the first JSON object closes: enough for every detector (line formats look at
 * their first line, JSON formats at their first record).
 */
function firstRecordComplete(text: string): boolean {
  if (!/^\uFEFF?\s*[[{]/.test(text)) return text.includes('\n');
  // `{"Records": [ {...}, ...`: the first record is the first object in the list, not the file's object,
  // which closes only at the end of the file (reading to the limit for every delivery file).
  const list = /^\uFEFF?\s*\{\s*"[^"\\]*"\s*:\s*\[/.exec(text);
  const start = text.indexOf('{', list ? list[0].length : 0);
  if (start < 0) return false;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth += 1;
    else if (ch === '}' || ch === ']') {
      depth -= 1;
      if (depth === 0) return true;
    }
  }
  return false;
}

/**
 * Decodes only until `bytes` are out, so a sniff of a 1 GB file reads a few blocks and a sniff of a
 * 500 KB delivery file does not decode it all: the file's first compressed bytes are inflated with a
 * sync flush, which yields what they hold without failing at their cut end
 * (https://nodejs.org/api/zlib.html#flushing), taking four times more until enough is out. A prefix
 * that fails to inflate, or a whole file that holds less than wanted, is decoded member by member,
 * which keeps every byte before damage and says what the damage is.
 */
async function gunzipPrefix(file: OpenFile, bytes: number): Promise<{ raw: Buffer; damage: string | null }> {
  for (let read = Math.ceil(bytes / PREFIX_COMPRESSION); ; read *= 4) {
    let raw: Buffer;
    try {
      raw = gunzipSync(readAt(file, read), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      break;
    }
    if (raw.length >= bytes) return { raw: raw.subarray(0, bytes), damage: null };
    if (read >= file.size) break;
  }
  return gunzipWhole(file, bytes);
}

/**
 * gzip shrinks log text 8 times or more (the bench corpus 8.6 times, real trails more): a first read
 * of a quarter of the bytes wanted is enough for most files, and a file of a few records is inflated
 * once (an eighth took two inflations for most such files, each starting a decoder: 1.8 s against
 * 1.1 s over 51,000 files).
 */
const PREFIX_COMPRESSION = 4;

async function gunzipWhole(file: OpenFile, bytes: number): Promise<{ raw: Buffer; damage: string | null }> {
  // Up to FRAMED_DECODE_LIMIT, member by member from the descriptor already open, as decodedBytes
  // would after reading the file again.
  const decoded =
    file.size <= FRAMED_DECODE_LIMIT
      ? decodedInMemory(readAt(file, file.size))
      : await decodedBytes(file.path, true);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of decoded.chunks) {
    chunks.push(chunk);
    total += chunk.length;
    if (total >= bytes) break;
  }
  const damage = total < bytes ? decoded.damage() : null;
  // A damaged or cut-off gzip still has a readable start: detection uses it, the reader reports the damage.
  if (total === 0 && damage) throw new Error(`corrupt gzip: ${damage}`);
  return { raw: Buffer.concat(chunks).subarray(0, bytes), damage };
}
