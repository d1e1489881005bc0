/**
 * How fast and how lean a local investigation is, on a corpus of the size asked for:
 *   npm run bench -- --records 1000000 [--file-records 1000] [--memory-limit 2GB]
 * The demo company's CloudTrail is replicated (fresh event ids, one copy per folder) until the
 * corpus holds the requested number of records, then the real workflow runs over it. Figures only:
 * no pass or fail, since a shared two-core machine is no stopwatch.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { runInvestigationLocally } from '../shared/local/app/local-runner.js';
import { generateDemoLogs } from '../shared/local/demo/generate-demo-logs.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    'file-records': { type: 'string', default: '1000' },
    'memory-limit': { type: 'string', default: '2GB' },
  },
});
const wanted = Number(values.records);
const work = await mkdtemp(join(tmpdir(), 'casefile-bench-'));
try {
  const seed = join(work, 'seed');
  const demo = await generateDemoLogs(seed);
  const files = await listFiles(seed);
  const copies = Math.max(1, Math.ceil(wanted / demo.records));
  const logs = join(work, 'logs');
  // Real delivery files hold 100 to 2,000 records; the demo's are small, so each copy's records are
  // regrouped into files of --file-records, as a busy account's trail would deliver them.
  const seedRecords: Record<string, unknown>[] = [];
  for (const file of files)
    seedRecords.push(...JSON.parse(gunzipSync(await readFile(file)).toString('utf8')).Records);
  const perFile = Number(values['file-records']);
  let bytes = 0;
  let written = 0;
  for (let copy = 0; copy < copies; copy += 1) {
    const folder = join(logs, `copy-${copy}`);
    await mkdir(folder, { recursive: true });
    for (let at = 0; at < seedRecords.length; at += perFile) {
      const records = seedRecords.slice(at, at + perFile).map((r) => ({ ...r, eventID: randomUUID() }));
      const body = gzipSync(JSON.stringify({ Records: records }));
      bytes += body.length;
      written += 1;
      await writeFile(join(folder, `part-${String(at / perFile).padStart(5, '0')}.json.gz`), body);
    }
  }
  const records = copies * demo.records;
  console.log(
    `corpus: ${records.toLocaleString()} records in ${written.toLocaleString()} files, ${(bytes / 2 ** 20).toFixed(0)} MiB gzip`,
  );

  const started = performance.now();
  const outcome = await runInvestigationLocally({
    logs,
    out: join(work, 'cases'),
    request: { caseId: 'bench' },
    engine: { memoryLimit: values['memory-limit'] ?? '2GB' },
  });
  const wall = (performance.now() - started) / 1000;
  const caseFile = JSON.parse(await readFile(join(outcome.caseFolder, 'case.json'), 'utf8'));
  const summary = JSON.parse(await readFile(join(outcome.caseFolder, 'summary.json'), 'utf8'));
  const timings = caseFile.timings as Record<string, number>;
  const seconds = (ms: number | undefined) => ((ms ?? Number.NaN) / 1000).toFixed(1);
  console.log(`investigation: ${wall.toFixed(1)} s wall`);
  console.log(
    `  inventory ${seconds(timings.inventoryMs)} s, tables (one pass to Parquet) ${seconds(timings.tablesMs)} s, hunts ${seconds(timings.huntsMs)} s summed over ${summary.hunts.run}`,
  );
  console.log(
    `  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (DuckDB memory_limit ${values['memory-limit']})`,
  );
  console.log(
    `  ${summary.findings.length} hunts with findings, ${summary.hunts.failed} failed, ${summary.skipped.length} inputs skipped`,
  );
  console.log(`  case folder size ${((await folderBytes(outcome.caseFolder)) / 2 ** 20).toFixed(1)} MiB`);
} finally {
  await rm(work, { recursive: true, force: true });
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function folderBytes(root: string): Promise<number> {
  let total = 0;
  for (const file of await listFiles(root)) total += (await stat(file)).size;
  return total;
}
