/**
 * How fast and how lean a local investigation is, on a corpus of the size asked for:
 *   npm run bench -- [--records 1000000] [--file-records 1000] [--memory-limit 1GB]
 *                    [--logs <corpus kept from before>] [--keep <dir to keep the corpus in>]
 *                    [--json bench/results.json] [--jq-sample-files 40] [--concurrent-queries 1]
 * The demo companies' CloudTrail is replicated (fresh event ids, spread over a month) until the
 * corpus holds the requested number of records, then the real workflow runs over it, and the same
 * files are decompressed by `gzip -dc` and a sample searched by `zcat | jq` for comparison.
 * Figures only: no pass or fail, since a shared two-core machine is no stopwatch.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ONE_PASS_MIN_HUNTS, estimateAthenaCost } from '../shared/domain/athena-estimate.js';
import { eventClassRouting, routeOf } from '../shared/domain/event-classes.js';
import { loadHuntLibrary } from '../shared/hunts/hunt-library.js';
import { huntScans } from '../shared/hunts/hunt-scan.js';
import { runInvestigationLocally } from '../shared/local/app/local-runner.js';
import { measureCopyProfile } from './athena-copy-profile.js';
import { gzipFloor, uncompressedBytes, zcatJqHunt } from './baselines.js';
import { readCaseJson } from './bench-case.js';
import { describeCorpus, folderBytes, listFiles, writeBenchCorpus } from './bench-corpus.js';
import { MemorySampler } from './memory-sampler.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    'file-records': { type: 'string', default: '1000' },
    'memory-limit': { type: 'string' },
    'concurrent-queries': { type: 'string' },
    logs: { type: 'string' },
    keep: { type: 'string' },
    json: { type: 'string', default: 'bench/results.json' },
    'jq-sample-files': { type: 'string', default: '40' },
  },
});
const work = await mkdtemp(join(tmpdir(), 'casefile-bench-'));
try {
  const written = values.logs
    ? null
    : await writeBenchCorpus(
        values.keep ?? join(work, 'logs'),
        work,
        Number(values.records),
        Number(values['file-records']),
      );
  const root = written?.root ?? (values.logs as string);

  // The corpus is listed and measured after the investigation: half a million paths and what reading
  // every file leaves in the heap would otherwise count in the investigation's peak RSS.
  const sampler = new MemorySampler();
  const started = performance.now();
  const outcome = await runInvestigationLocally({
    logs: root,
    out: join(work, 'cases'),
    request: { caseId: 'bench' },
    engine: {
      ...(values['memory-limit'] ? { memoryLimit: values['memory-limit'] } : {}),
      ...(values['concurrent-queries'] ? { maxConcurrentQueries: Number(values['concurrent-queries']) } : {}),
    },
    onProgress: (event) => {
      if (event.kind === 'step') sampler.enter(event.state);
    },
  });
  const wall = (performance.now() - started) / 1000;
  sampler.stop();
  // The investigation's own peak: what the bench does next (gzip -dc, jq, the copy model's DuckDB) is
  // not casefile's, and maxRSS only grows.
  const investigationPeakRssMiB = process.resourceUsage().maxRSS / 1024;
  const found = await readCaseJson(outcome.caseFolder);
  const corpus = written ?? (await describeCorpus(root));
  const files = await listFiles(corpus.root);
  const jsonBytes = await uncompressedBytes(files);
  const mib = (bytes: number) => bytes / 2 ** 20;
  console.log(
    `corpus: ${corpus.records.toLocaleString()} records in ${corpus.files.toLocaleString()} files, ${mib(corpus.gzipBytes).toFixed(0)} MiB gzip, ${mib(jsonBytes).toFixed(0)} MiB JSON`,
  );
  const phase = (name: string) =>
    performance
      .getEntriesByType('measure')
      .filter((m) => m.name.startsWith(`casefile:${name}:`))
      .reduce((sum, m) => sum + m.duration / 1000, 0);
  const gzipSeconds = await gzipFloor(files);
  const sample = files.filter(
    (_, i) => i % Math.ceil(files.length / Number(values['jq-sample-files'])) === 0,
  );
  const jq = await zcatJqHunt(sample);
  const jqSeconds = (jq.seconds * jsonBytes) / (await uncompressedBytes(sample));

  const library = await loadHuntLibrary();
  const chosen = new Set(found.huntsToRun);
  const scanned = library.filter((h) => chosen.has(h.id)).map((h) => ({ huntId: h.id, scans: huntScans(h) }));
  const routing = eventClassRouting(scanned);
  const copy = await measureCopyProfile(files, corpus.gzipBytes, work, routing);
  const athena = estimateAthenaCost({
    sourceBytes: { cloudtrail: corpus.gzipBytes },
    hunts: scanned,
    onePassMinHunts: DEFAULT_ONE_PASS_MIN_HUNTS,
    profiles: { cloudtrail: copy.profile },
  });

  const results = {
    measuredAt: new Date().toISOString(),
    corpus: { ...corpus, jsonBytes },
    wallSeconds: wall,
    recordsPerSecond: corpus.records / wall,
    mibPerSecondCompressed: mib(corpus.gzipBytes) / wall,
    mibPerSecondJson: mib(jsonBytes) / wall,
    phasesSeconds: {
      inventory: found.timings.inventoryMs / 1000,
      gate: phase('gate'),
      conversion: phase('conversion'),
      huntsWall: sampler.secondsIn('RunHunts'),
      huntsSummed: found.timings.huntsMs / 1000,
      story: sampler.secondsIn('TraceStory'),
    },
    cpuSeconds: sampler.cpuSeconds(),
    cpuSecondsTotal: Object.values(sampler.cpuSeconds()).reduce((sum, s) => sum + s, 0),
    peakRssMiB: investigationPeakRssMiB,
    peakRssMiBByStep: sampler.peaks(),
    peakNodeHeapMiBByStep: sampler.nodePeaks(),
    hunts: found.hunts,
    caseFolderMiB: mib(await folderBytes(outcome.caseFolder)),
    gzipDcSeconds: gzipSeconds,
    ratioToGzipDc: wall / gzipSeconds,
    zcatJqOneHunt: {
      sampleFiles: sample.length,
      sampleSeconds: jq.seconds,
      corpusSecondsEstimated: jqSeconds,
    },
    ratioToZcatJqOneHunt: wall / jqSeconds,
    athenaEstimate: { ...athena, copyBytes: copy.copyBytes },
  };
  await writeFile(values.json as string, `${JSON.stringify(results, null, 2)}\n`);
  const s = (n: number) => n.toFixed(1);
  console.log(
    `investigation: ${s(wall)} s wall, ${Math.round(results.recordsPerSecond).toLocaleString()} records/s, ${s(results.mibPerSecondCompressed)} MiB/s gzip, ${s(results.mibPerSecondJson)} MiB/s JSON`,
  );
  const p = results.phasesSeconds;
  console.log(
    `  inventory ${s(p.inventory)} s, gate ${s(p.gate)} s, conversion to Parquet ${s(p.conversion)} s, hunts ${s(p.huntsWall)} s (${found.hunts.run} run, ${found.hunts.failed} failed), story ${s(p.story)} s`,
  );
  console.log(
    `  CPU ${s(results.cpuSecondsTotal)} s; by step: ${Object.entries(results.cpuSeconds)
      .filter(([, v]) => v >= 0.05)
      .map(([k, v]) => `${k} ${s(v)}`)
      .join(', ')}`,
  );
  console.log(
    `  peak RSS ${results.peakRssMiB.toFixed(0)} MiB; by step: ${Object.entries(results.peakRssMiBByStep)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; of which Node's heap and buffers: ${Object.entries(results.peakNodeHeapMiBByStep)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(
    `  gzip -dc of the same files ${s(gzipSeconds)} s: casefile takes ${s(results.ratioToGzipDc)}x`,
  );
  console.log(
    `  zcat | jq, one hunt: ${s(jq.seconds)} s on ${sample.length} files, about ${s(jqSeconds)} s for the corpus: the whole investigation takes ${results.ratioToZcatJqOneHunt.toFixed(2)}x one hunt by hand`,
  );
  const usd = (n: number) => `$${n.toFixed(4)}`;
  const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;
  console.log(
    `  Athena, ${athena.hunts.length} hunts at $${athena.pricePerTbUsd}/TB over ${gib(corpus.gzipBytes)} of gzip logs: ${gib(athena.direct.bytes)} scanned reading the logs as delivered (${(athena.direct.bytes / corpus.gzipBytes).toFixed(1)}x, ${usd(athena.direct.costUsd)}); with the one pass ${gib(athena.withOnePass.bytes)} (${athena.ratioToSource.toFixed(2)}x: the copy ${gib(corpus.gzipBytes)} once, then the hunts' columns and buckets of a ${gib(copy.copyBytes)} Parquet copy; ${usd(athena.withOnePass.costUsd)} billed, 10 MB minimum per query)`,
  );
  // Each route's hunts and what they read together, as the README's table of classes reads them.
  const routes: [string, (h: (typeof athena.hunts)[number]) => boolean][] = [
    ['naming light events', (h) => routeOf(routing, h.huntId) === 'named'],
    ['naming a heavy event', (h) => routeOf(routing, h.huntId) === 'named-and-heavy'],
    ['limited by a heavy pattern', (h) => routeOf(routing, h.huntId) === 'heavy-patterns'],
    ['of failed calls or people’s calls (the flagged rows)', (h) => routeOf(routing, h.huntId) === 'flagged'],
    ['reading the whole copy', (h) => h.readsCopy && routeOf(routing, h.huntId) === null],
  ];
  const parts = routes.map(([what, test]) => {
    const hunts = athena.hunts.filter(test);
    const bytes = hunts.reduce((sum, h) => sum + h.bytes, 0);
    return `${hunts.length} ${what} ${(bytes / corpus.gzipBytes).toFixed(2)}x`;
  });
  console.log(
    `  of which ${parts.join(', ')} (the named classes: ${routing.names.length} light and ${routing.heavyNames.length} heavy names, ${routing.patterns.length} light and ${routing.heavyPatterns.length} heavy patterns)`,
  );
  console.log(`  case folder ${s(results.caseFolderMiB)} MiB; figures in ${values.json}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
