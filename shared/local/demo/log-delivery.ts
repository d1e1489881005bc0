import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { iso, MINUTE } from './clock.js';
import type { JsonObject } from './cloudtrail-record.js';
import type { Account } from './principals.js';
import type { Entry } from './scene.js';
import { ALNUM, itemAt, type Rng } from './seeded-random.js';

// Delivery: CloudTrail's S3 layout, one file per region per few minutes of activity.

interface LogFile {
  path: string;
  records: JsonObject[];
}

export function intoLogFiles(entries: Entry[], rng: Rng): LogFile[] {
  const streams = new Map<string, Entry[]>();
  for (const entry of entries) {
    const key = `${entry.account.id}/${entry.region}`;
    const stream = streams.get(key) ?? [];
    stream.push(entry);
    streams.set(key, stream);
  }
  const files: LogFile[] = [];
  for (const key of [...streams.keys()].sort()) {
    const stream = (streams.get(key) ?? []).sort(
      (a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
    );
    for (let i = 0; i < stream.length; ) {
      const first = itemAt(stream, i);
      const closes = first.at + rng.int(5, 15) * MINUTE;
      let j = i;
      while (j < stream.length && itemAt(stream, j).at < closes) j++;
      const deliveredAt = closes + rng.seconds(30, 240);
      files.push({
        path: logFilePath(first.account, first.region, deliveredAt, rng.chars(ALNUM, 16)),
        records: stream.slice(i, j).map((e) => e.record),
      });
      i = j;
    }
  }
  return files;
}

function logFilePath(account: Account, region: string, deliveredAt: number, unique: string): string {
  const stamp = iso(deliveredAt);
  const [yyyy, mm, dd] = [stamp.slice(0, 4), stamp.slice(5, 7), stamp.slice(8, 10)];
  const name = `${account.id}_CloudTrail_${region}_${yyyy}${mm}${dd}T${stamp.slice(11, 13)}${stamp.slice(14, 16)}Z_${unique}.json.gz`;
  return `${account.logPrefix}/CloudTrail/${region}/${yyyy}/${mm}/${dd}/${name}`;
}

export async function writeLogFiles(outDir: string, files: LogFile[]): Promise<void> {
  const folders = new Set(files.map((f) => dirname(join(outDir, f.path))));
  await Promise.all([...folders].map((folder) => mkdir(folder, { recursive: true })));
  const batch = 64;
  for (let i = 0; i < files.length; i += batch) {
    await Promise.all(
      files
        .slice(i, i + batch)
        .map((f) =>
          writeFile(join(outDir, f.path), gzipSync(JSON.stringify({ Records: f.records }), { level: 6 })),
        ),
    );
  }
}
