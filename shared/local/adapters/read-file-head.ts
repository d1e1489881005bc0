import { open, stat } from 'node:fs/promises';
import { constants, gunzipSync } from 'node:zlib';
import { decodedBytes } from './decoded-bytes.js';

const GZIP_MAGIC = [0x1f, 0x8b];
const FIRST_READ = 16_384;
/** Detection needs the first record whole; a record larger than this is not read to decide. */
const HEAD_LIMIT = 1_048_576;

export interface FileHead {
  compressed: boolean;
  text: string;
  /** Why a gzip file's content ends before the head did (its start is still in `text`). */
  damage?: string;
}

/**
 * The first decompressed bytes of a file (gunzipped when it is gzip whatever its name): 16 KiB,
 * or more, up to `limit`, until the first record is complete, so a detector sees the whole first
 * record even when it starts with kilobytes of request parameters.
 */
export async function readFileHead(path: string, limit = HEAD_LIMIT): Promise<FileHead> {
  const compressed = await startsWithGzipMagic(path);
  let bytes = Math.min(FIRST_READ, limit);
  for (;;) {
    const { text, complete, damage } = await readPrefix(path, compressed, bytes);
    if (complete || bytes >= limit || firstRecordComplete(text))
      return { compressed, text, ...(damage ? { damage } : {}) };
    bytes = Math.min(bytes * 4, limit);
  }
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const start = Buffer.alloc(2);
    const { bytesRead } = await handle.read(start, 0, 2, 0);
    return bytesRead === 2 && start[0] === GZIP_MAGIC[0] && start[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/** The first `bytes` of the content; `complete` when the content is no longer than that. */
async function readPrefix(path: string, compressed: boolean, bytes: number) {
  const { raw, damage } = compressed
    ? await gunzipPrefix(path, bytes + 1)
    : { raw: await readRaw(path, bytes + 1), damage: null };
  return { text: raw.subarray(0, bytes).toString('utf8'), complete: raw.length <= bytes, damage };
}

async function readRaw(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const raw = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(raw, 0, bytes, 0);
    return raw.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
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
 * that fails to inflate, or a file read to its end, is decoded member by member, which keeps every
 * byte before damage and says what the damage is.
 */
async function gunzipPrefix(path: string, bytes: number): Promise<{ raw: Buffer; damage: string | null }> {
  const size = (await stat(path)).size;
  for (let read = Math.ceil(bytes / PREFIX_COMPRESSION); read < size; read *= 4) {
    let raw: Buffer;
    try {
      raw = gunzipSync(await readRaw(path, read), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      break;
    }
    if (raw.length >= bytes) return { raw: raw.subarray(0, bytes), damage: null };
  }
  return gunzipWhole(path, bytes);
}

/** gzip shrinks log text 10 times or more: a first read of a quarter of the bytes wanted is enough for most files. */
const PREFIX_COMPRESSION = 4;

async function gunzipWhole(path: string, bytes: number): Promise<{ raw: Buffer; damage: string | null }> {
  const decoded = await decodedBytes(path, true);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of decoded.chunks) {
    chunks.push(chunk);
    total += chunk.length;
    if (total >= bytes) break;
  }
  // A damaged or cut-off gzip still has a readable start: detection uses it, the reader reports the damage.
  const damage = total < bytes ? decoded.damage() : null;
  if (total === 0 && damage) throw new Error(`corrupt gzip: ${damage}`);
  return { raw: Buffer.concat(chunks).subarray(0, bytes), damage };
}
