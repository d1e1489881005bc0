import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { generateDemoLogs } from '../shared/local/demo/generate-demo-logs.js';

const DAY_MS = 86_400_000;
/** Distinct demo companies (seeds) the corpus mixes, so the records are not one company's copy. */
const SEEDS = 4;
/** Copies are spread over this many demo-lengths of days, so partitions hold a month, not three days. */
const TIME_SLOTS = 10;

export interface Corpus {
  root: string;
  records: number;
  files: number;
  gzipBytes: number;
}

/**
 * The demo companies' CloudTrail, replicated until the corpus holds `wanted` records: each copy has
 * fresh event ids and is shifted by whole demo-lengths of days, regrouped into delivery files of
 * `perFile` records (real delivery files hold 100 to 2,000) in CloudTrail's S3 layout
 * (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`), so the same tree serves the local run and
 * the Athena estimate.
 */
export async function writeBenchCorpus(
  root: string,
  work: string,
  wanted: number,
  perFile: number,
): Promise<Corpus> {
  const seeds: { records: Record<string, unknown>[]; days: number }[] = [];
  for (let s = 0; s < SEEDS; s += 1) {
    const dir = join(work, `seed-${s}`);
    const demo = await generateDemoLogs(dir, { seed: 20250310 + s });
    const records: Record<string, unknown>[] = [];
    for (const file of await listFiles(dir))
      records.push(...JSON.parse(gunzipSync(await readFile(file)).toString('utf8')).Records);
    const days = (Date.parse(demo.window.to) - Date.parse(demo.window.from)) / DAY_MS;
    seeds.push({ records, days });
  }
  let records = 0;
  let files = 0;
  let gzipBytes = 0;
  for (let copy = 0; records < wanted; copy += 1) {
    const seed = seeds[copy % SEEDS] as (typeof seeds)[number];
    const shift = Math.floor(copy / SEEDS) % TIME_SLOTS;
    const shiftMs = shift * seed.days * DAY_MS;
    const streams = new Map<string, Record<string, unknown>[]>();
    for (const record of seed.records.slice(0, wanted - records)) {
      const eventTime = shiftedTime(String(record.eventTime), shiftMs);
      const account = String(record.recipientAccountId);
      const key = `${account}/${String(record.awsRegion)}/${eventTime.slice(0, 10).replaceAll('-', '/')}`;
      const stream = streams.get(key) ?? [];
      stream.push({ ...record, eventTime, eventID: randomUUID() });
      streams.set(key, stream);
    }
    for (const [key, stream] of streams) {
      const [account = '', region = '', ...day] = key.split('/');
      for (let at = 0; at < stream.length; at += perFile) {
        const body = gzipSync(JSON.stringify({ Records: stream.slice(at, at + perFile) }));
        const name = `${account}_CloudTrail_${region}_copy${copy}_${at / perFile}.json.gz`;
        const path = join(root, 'AWSLogs', account, 'CloudTrail', region, ...day, name);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, body);
        gzipBytes += body.length;
        files += 1;
      }
      records += stream.length;
    }
  }
  return { root, records, files, gzipBytes };
}

/** A corpus written before (`--logs`): counted, not rewritten. */
export async function describeCorpus(root: string): Promise<Corpus> {
  let records = 0;
  let gzipBytes = 0;
  const files = await listFiles(root);
  for (const file of files) {
    const body = await readFile(file);
    gzipBytes += body.length;
    records += JSON.parse(gunzipSync(body).toString('utf8')).Records.length;
  }
  return { root, records, files: files.length, gzipBytes };
}

function shiftedTime(eventTime: string, shiftMs: number): string {
  if (shiftMs === 0) return eventTime;
  return new Date(Date.parse(eventTime) + shiftMs).toISOString().replace('.000Z', 'Z');
}

export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export async function folderBytes(root: string): Promise<number> {
  let total = 0;
  for (const file of await listFiles(root)) total += (await stat(file)).size;
  return total;
}
