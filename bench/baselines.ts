import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** Files per `gzip -dc` invocation: well inside the kernel's argument-size limit. */
const FILES_PER_CALL = 500;

/** Seconds `gzip -dc` takes to decompress every file to /dev/null: the floor of any reader. */
export async function gzipFloor(files: string[]): Promise<number> {
  const devNull = openSync('/dev/null', 'w');
  const started = performance.now();
  try {
    for (let at = 0; at < files.length; at += FILES_PER_CALL) {
      await run('gzip', ['-dc', ...files.slice(at, at + FILES_PER_CALL)], devNull);
    }
  } finally {
    closeSync(devNull);
  }
  return (performance.now() - started) / 1000;
}

/** Decompressed bytes, from each gzip file's trailer (ISIZE, RFC 1952: the size modulo 2^32). */
export async function uncompressedBytes(files: string[]): Promise<number> {
  let total = 0;
  const trailer = Buffer.alloc(4);
  for (const file of files) {
    const handle = await open(file);
    try {
      const { size } = await handle.stat();
      await handle.read(trailer, 0, 4, size - 4);
      total += trailer.readUInt32LE(0);
    } finally {
      await handle.close();
    }
  }
  return total;
}

/**
 * One hunt done by hand on a sample, `zcat files | jq` (the CloudTrail-stopped hunt's filter), so
 * the table says what the columnar pass buys over the shell a responder would otherwise reach for.
 */
export async function zcatJqHunt(files: string[]): Promise<{ seconds: number; matches: number }> {
  const started = performance.now();
  const filter =
    '.Records[] | select(.eventSource == "cloudtrail.amazonaws.com" and (.eventName == "StopLogging" or .eventName == "DeleteTrail")) | .eventID';
  const script = `zcat -- "$@" | jq -r '${filter}' | wc -l`;
  const output = await captureOutput('sh', ['-c', script, 'zcat-jq', ...files]);
  return { seconds: (performance.now() - started) / 1000, matches: Number(output.trim()) };
}

function run(command: string, args: string[], stdout: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', stdout, 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`)),
    );
  });
}

function captureOutput(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`${command} exited with ${code}`)),
    );
  });
}
