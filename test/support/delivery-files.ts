import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { InventoriedFile } from '../../shared/domain/inventory.js';

/** `count` gzip CloudTrail delivery files in `dir`, the i-th holding the one record `record(i)`, as inventoried. */
export async function writeOneRecordFiles(
  dir: string,
  count: number,
  record: (i: number) => string,
): Promise<InventoriedFile[]> {
  const files: InventoriedFile[] = [];
  for (let i = 0; i < count; i += 1) {
    const body = gzipSync(`{"Records":[${record(i)}]}`);
    const path = join(dir, `${i}.json.gz`);
    await writeFile(path, body);
    files.push({ path, size: body.length, layout: 'records-object', compressed: true });
  }
  return files;
}
