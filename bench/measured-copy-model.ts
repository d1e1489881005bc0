/**
 * Writes the default model of the CloudTrail copy, shared/domain/measured-copy-profile.ts, from a
 * corpus kept by `npm run bench -- --keep <dir>`:
 *   node --import tsx bench/measured-copy-model.ts --logs <corpus>
 * It measures every third delivery file the way the bench does (bench/athena-copy-profile.ts: the
 * copy laid out as the CTAS lays it out, with the named classes of the whole hunt library) and keeps,
 * per event name, its share of the copy in its flagged rows and in the rest, and the columns' shares
 * of each, and the share of the rows each pattern the hunts route on matches where the event names
 * cannot weigh it (a pattern on another column).
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { eventClassRouting, eventNameMatcher } from '../shared/domain/event-classes.js';
import { loadHuntLibrary } from '../shared/hunts/hunt-library.js';
import { huntScans } from '../shared/hunts/hunt-scan.js';
import { measureCopyProfile, measurePatternShares } from './athena-copy-profile.js';
import { listFiles } from './bench-corpus.js';

/** Shares below this are left out: the model then holds nothing for the event. */
const SMALLEST_SHARE = 1e-4;
const MODEL = 'shared/domain/measured-copy-profile.ts';

const { values } = parseArgs({ options: { logs: { type: 'string' } } });
if (!values.logs) throw new Error('--logs <corpus> is required');
const files = (await listFiles(values.logs)).filter((_, i) => i % 3 === 0);
const gzipBytes = (await Promise.all(files.map((file) => stat(file)))).reduce((sum, s) => sum + s.size, 0);
const library = await loadHuntLibrary();
const routing = eventClassRouting(library.map((hunt) => ({ huntId: hunt.id, scans: huntScans(hunt) })));
const work = await mkdtemp(join(tmpdir(), 'casefile-copy-model-'));
try {
  const { profile, copyBytes } = await measureCopyProfile(files, gzipBytes, work, routing);
  const unweighed = [...routing.patterns, ...routing.heavyPatterns].filter(
    (p) => p.column !== 'eventname' || !eventNameMatcher(p),
  );
  const patternShares = await measurePatternShares(files, unweighed, work);
  const sum = (columns: Record<string, number>) => Object.values(columns).reduce((a, b) => a + b, 0);
  const perGzipByte = copyBytes / gzipBytes;
  const shares = (part: Record<string, Record<string, number>>) =>
    Object.entries(part)
      .map(([name, columns]) => [name, sum(columns) / perGzipByte] as const)
      .filter(([, share]) => share >= SMALLEST_SHARE)
      .sort((a, b) => b[1] - a[1]);
  const columnShares = (part: Record<string, Record<string, number>>) => {
    const totals: Record<string, number> = {};
    for (const columns of Object.values(part))
      for (const [column, bytes] of Object.entries(columns)) totals[column] = (totals[column] ?? 0) + bytes;
    const all = sum(totals);
    return Object.entries(totals)
      .map(([column, bytes]) => [column, bytes / all] as const)
      .sort((a, b) => b[1] - a[1]);
  };
  const record = (entries: readonly (readonly [string, number])[]) =>
    `{\n${entries.map(([key, value]) => `  ${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}: ${Number(value.toPrecision(4))},`).join('\n')}\n}`;
  const text = `import type { CopyProfile } from './athena-estimate.js';
import { profileOfShares } from './copy-profile-shares.js';

/**
 * The CloudTrail one-pass copy as \`npm run bench\` measures it (bench/athena-copy-profile.ts: Parquet
 * zstd laid out as the CTAS lays it out, \`parquet_metadata\` column chunk sizes), here on every third
 * delivery file of the 1 M-event benchmark corpus of the demo companies (${files.length} files, ${Math.round(gzipBytes / 2 ** 20)} MiB gzip), written by
 * bench/measured-copy-model.ts: the copy's bytes per gzip byte of the logs, how they split over the
 * event names, in the flagged class (failed calls, long-term credentials) and outside it, and over the
 * columns of each. Before a case's copy exists this is the model of it; each event name is taken to
 * hold the columns in the same proportions, and an account whose events are spread otherwise reads
 * more or less (an event name not listed here is modelled as holding nothing). It also decides which
 * named events are heavy enough for a class of their own (HEAVY_EVENTS in event-classes.ts).
 */
const COPY_PER_GZIP_BYTE = ${Number(perGzipByte.toPrecision(4))};
/** Each event name's share of the copy's bytes in its rows outside the flagged class. */
export const MEASURED_EVENT_SHARE: Readonly<Record<string, number>> = ${record(shares(profile.events))};
/** Each event name's share of the copy's bytes in its flagged rows. */
const MEASURED_FLAGGED_SHARE: Readonly<Record<string, number>> = ${record(shares(profile.flagged))};
/**
 * Each pattern the hunts route on that the event names cannot weigh (shared/domain/event-classes.ts:
 * heavyPattern), by its column, operator and pattern: its share of the rows, taken as its share of the
 * copy. A pattern not listed is weighed as heavy.
 */
export const MEASURED_PATTERN_SHARE: Readonly<Record<string, number>> = ${record(Object.entries(patternShares))};
/** Each column's share of the rows outside the flagged class. */
const COLUMN_SHARE: Record<string, number> = ${record(columnShares(profile.events))};
/** Each column's share of the flagged rows. */
const FLAGGED_COLUMN_SHARE: Record<string, number> = ${record(columnShares(profile.flagged))};

export const MEASURED_CLOUDTRAIL_COPY: CopyProfile = {
  events: profileOfShares(COPY_PER_GZIP_BYTE, MEASURED_EVENT_SHARE, COLUMN_SHARE),
  flagged: profileOfShares(COPY_PER_GZIP_BYTE, MEASURED_FLAGGED_SHARE, FLAGGED_COLUMN_SHARE),
};
`;
  await writeFile(MODEL, text);
  console.log(`${MODEL}: ${files.length} files, ${perGzipByte.toFixed(4)} copy bytes per gzip byte`);
} finally {
  await rm(work, { recursive: true, force: true });
}
