import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { constants, crc32, createGunzip, inflateRawSync } from 'node:zlib';

/**
 * Compressed files up to this size are decoded member by member in memory, which keeps every byte
 * before damage (a stream decoder loses the output of the block that holds bytes after the stream).
 * Larger ones are streamed and lose at most that block.
 */
export const FRAMED_DECODE_LIMIT = 8 * 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

/** A file's content as bytes, and what was wrong with the container (a cut-off or damaged gzip). */
export interface DecodedBytes {
  chunks: AsyncIterable<Buffer>;
  /** Set once `chunks` is exhausted: why the decoded content ends early, or null. */
  damage: () => string | null;
}

export async function decodedBytes(path: string, compressed: boolean): Promise<DecodedBytes> {
  if (!compressed) return { chunks: createReadStream(path), damage: () => null };
  if ((await stat(path)).size <= FRAMED_DECODE_LIMIT) return decodedInMemory(await readFile(path));
  return streamedGunzip(path);
}

/** A gzip file's bytes, already read, decoded member by member. */
export function decodedInMemory(gzip: Buffer): DecodedBytes {
  const { output, damage } = gunzipMembers(gzip);
  return { chunks: chunksOf(output), damage: () => damage };
}

async function* chunksOf(buffers: Buffer[]): AsyncIterable<Buffer> {
  for (const buffer of buffers) yield buffer;
}

function streamedGunzip(path: string): DecodedBytes {
  let damage: string | null = null;
  async function* chunks(): AsyncIterable<Buffer> {
    const input = createReadStream(path);
    const gunzip = input.pipe(createGunzip());
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (error) {
      damage = describeGzipError(error as NodeJS.ErrnoException, null);
    } finally {
      input.destroy();
    }
  }
  return { chunks: chunks(), damage: () => damage };
}

/**
 * Decodes a gzip file member by member (RFC 1952: members may be concatenated), keeping the output
 * of every complete member and whatever a damaged or cut-off member yields before the damage.
 */
export function gunzipMembers(input: Buffer): { output: Buffer[]; damage: string | null } {
  const output: Buffer[] = [];
  let offset = 0;
  while (offset < input.length) {
    if (input[offset] !== GZIP_MAGIC[0] || input[offset + 1] !== GZIP_MAGIC[1]) {
      return {
        output,
        damage: `${input.length - offset} bytes after the gzip data at byte ${offset} are not gzip and were not read`,
      };
    }
    const body = gzipBodyStart(input, offset);
    if (body === null) return { output, damage: `gzip header cut off at byte ${offset}` };
    const member = inflateMember(input.subarray(body));
    if (member.data.length > 0) output.push(member.data);
    if (member.error) return { output, damage: describeGzipError(member.error, body) };
    const trailer = body + member.consumed;
    if (trailer + 8 > input.length) return { output, damage: 'gzip data cut off (file truncated)' };
    if (input.readUInt32LE(trailer) !== crc32(member.data) >>> 0)
      return { output, damage: `gzip checksum mismatch in the member ending at byte ${trailer + 8}` };
    offset = trailer + 8;
  }
  return { output, damage: null };
}

/** The raw deflate data after one member's header, up to its end or to the damage. */
function inflateMember(body: Buffer): { data: Buffer; consumed: number; error: Error | null } {
  try {
    const { buffer, engine } = inflateRawSync(body, { info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    return { data: buffer, consumed: engine.bytesWritten, error: null };
  } catch (error) {
    return { data: decodableBefore(body), consumed: body.length, error: error as Error };
  }
}

/** Flushing instead of finishing returns what decodes before a cut without an error; other damage yields nothing. */
function decodableBefore(body: Buffer): Buffer {
  try {
    return inflateRawSync(body, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return Buffer.alloc(0);
  }
}

/** Where the deflate data of the member at `offset` starts (RFC 1952 section 2.3), or null when cut off. */
function gzipBodyStart(input: Buffer, offset: number): number | null {
  const flags = input[offset + 3];
  if (flags === undefined || offset + 10 > input.length) return null;
  let at = offset + 10;
  if (flags & 0x04) {
    if (at + 2 > input.length) return null;
    at += 2 + input.readUInt16LE(at);
  }
  for (const flag of [0x08, 0x10]) {
    if (flags & flag) {
      const end = input.indexOf(0, at);
      if (end < 0) return null;
      at = end + 1;
    }
  }
  if (flags & 0x02) at += 2;
  return at > input.length ? null : at;
}

function describeGzipError(error: NodeJS.ErrnoException, at: number | null): string {
  if (error.code === 'Z_BUF_ERROR' || /unexpected end/.test(error.message))
    return 'gzip data cut off (file truncated)';
  return `gzip data damaged${at === null ? '' : ` in the member starting at byte ${at}`}: ${error.message}`;
}
