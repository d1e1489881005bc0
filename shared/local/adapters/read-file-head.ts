import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC = [0x1f, 0x8b];

export interface FileHead {
  compressed: boolean;
  text: string;
}

/** The first `bytes` of a file's content, gunzipped when the file is gzip whatever its name. */
export async function readFileHead(path: string, bytes = 16_384): Promise<FileHead> {
  const handle = await open(path, 'r');
  try {
    const raw = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(raw, 0, bytes, 0);
    const start = raw.subarray(0, bytesRead);
    const compressed = start[0] === GZIP_MAGIC[0] && start[1] === GZIP_MAGIC[1];
    if (!compressed) return { compressed, text: start.toString('utf8') };
    return { compressed, text: (await gunzipPrefix(path, bytes)).toString('utf8') };
  } finally {
    await handle.close();
  }
}

/** Decompresses only until `bytes` are out, so a sniff of a 1 GB file reads a few blocks. */
async function gunzipPrefix(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  const gunzip = createGunzip();
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    const stream = handle.createReadStream({ highWaterMark: 65_536 }).pipe(gunzip);
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= bytes) break;
    }
  } catch (error) {
    throw new Error(`corrupt gzip: ${(error as Error).message}`, { cause: error });
  } finally {
    gunzip.destroy();
    await handle.close();
  }
  return Buffer.concat(chunks).subarray(0, bytes);
}
