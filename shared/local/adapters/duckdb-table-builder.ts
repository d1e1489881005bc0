import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, sep } from 'node:path';
import type { CaseContext } from '../../domain/case.js';
import type { BuiltTable } from '../../domain/case-files/tables-file.js';
import {
  CLASSED_SOURCE,
  EVENT_CLASS_COLUMN,
  type EventClassRouting,
  type EventRoute,
  ROUTE_CLASSES,
  routesTaken,
} from '../../domain/event-classes.js';
import type {
  FileRecordCount,
  InventoriedFile,
  Inventory,
  QuarantinedRecord,
  SkippedInput,
} from '../../domain/inventory.js';
import type { LogSourceId } from '../../domain/log-sources.js';
import { UNBOUNDED_FROM, UNBOUNDED_TO } from '../../domain/time-window.js';
import type { TableBuilder, TablesResult } from '../../ports/table-builder.js';
import { CLASSED_NAME_COLUMN, eventClassExpression } from '../../sources/cloudtrail-class-sql.js';
import { cloudtrailColumns } from '../../sources/cloudtrail-schema.js';
import {
  CLOUDTRAIL_ACTIVITY_VIEW,
  CLOUDTRAIL_EVENTS_COLUMNS,
  CLOUDTRAIL_EVENTS_VIEW,
  cloudtrailActivityViewSql,
} from '../../sources/cloudtrail-view.js';
import { logSourceModule } from '../../sources/registry.js';
import { sqlString } from '../../sources/source-sql.js';
import type { DuckDbQueryEngine } from './duckdb-query-engine.js';
import { MAX_REFUSED_RECORDS, type Refusal, refusedRecord } from './engine-refusal.js';
import { gateRecords } from './record-gate.js';
import { gateWorkersFor, RecordGatePool, WORKER_THRESHOLD_BYTES } from './record-gate-pool.js';
import { recordsToLines } from './records-to-lines.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * Reads every log file once into columnar files (Parquet), then serves each source as a view of the
 * Athena table's name and columns, restricted to the case window. Hunts then scan Parquet, not JSON:
 * thirty hunts over the JSON cost thirty full decompress-and-parse passes.
 */
export class DuckDbTableBuilder implements TableBuilder {
  private part = 0;
  /**
   * A cleaned copy's path to the file it was cleaned from, so a skipped input names the evidence and
   * a refused record is looked for in that file.
   */
  private readonly originalFiles = new Map<string, InventoriedFile>();
  /** The records the engine refused, by file and place in it, with its reason. */
  private readonly refusals = new Map<string, Map<number, Refusal>>();
  /** The build's counts and quarantine, which the gate fills and a refused record changes. */
  private found: { counts: FileRecordCount[]; quarantined: QuarantinedRecord[] } = {
    counts: [],
    quarantined: [],
  };
  /** A pack's path to the files whose records it holds, read again one by one if the pack fails. */
  private readonly packedFiles = new Map<string, InventoriedFile[]>();

  constructor(
    private readonly engine: DuckDbQueryEngine,
    private readonly workDir: string,
    private readonly reading: ReadingOptions = {},
  ) {}

  /** This engine's copy is its conversion: it classes the events while it converts them. */
  readonly classesAsItBuilds = true;

  async build(
    context: CaseContext,
    inventory: Inventory,
    classing: EventClassRouting | null = null,
  ): Promise<TablesResult> {
    const skipped: SkippedInput[] = [];
    const tables: BuiltTable[] = [];
    const classed: LogSourceId[] = [];
    this.found = { counts: [], quarantined: [] };
    // The engine numbers the records it reads from the files as this build gates them: a refusal
    // kept from an earlier build (a retried step) would shift every place after it.
    this.refusals.clear();
    const bySource = new Map<LogSourceId, InventoriedFile[]>();
    for (const location of inventory.sources) {
      bySource.set(location.source, [...(bySource.get(location.source) ?? []), ...(location.files ?? [])]);
    }
    for (const [source, files] of bySource) {
      const dir = join(this.workDir, source);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const classes =
        source === CLASSED_SOURCE && classing && routesTaken(classing).length > 0
          ? await this.writableClasses(source, classing, skipped)
          : null;
      let written = 0;
      const packDir = join(this.workDir, 'packs');
      const { gateWorkers = GATE_WORKERS, workerThresholdBytes = WORKER_THRESHOLD_BYTES } = this.reading;
      const gate = new RecordGatePool(source, gateWorkersFor(files, gateWorkers, workerThresholdBytes), {
        cleanPathOf: (file) => join(this.workDir, 'clean', file.path),
        packDir,
      });
      try {
        // In rounds, each gated then converted and its packs and cleaned copies removed: the work
        // folder holds at most one round's records as text, whatever the corpus.
        for (const round of rounds(files, this.reading.roundJsonBytes ?? ROUND_JSON_BYTES)) {
          const gateStarted = performance.now();
          await mkdir(packDir, { recursive: true });
          const readable = await this.gate(source, gate, round, skipped);
          // Idle workers would keep their heaps while DuckDB converts the round (build of the 1 M
          // bench corpus: peak RSS 1,250 to 1,330 MiB with them, 1,020 to 1,060 without, 0.4 s slower).
          await gate.close();
          const conversionStarted = performance.now();
          for (const group of conversionBatches(readable)) {
            written += await this.convertIsolatingFailures(source, group, dir, skipped, classes);
          }
          await rm(packDir, { recursive: true, force: true });
          // A round's packs are gone with it: a pack refused later reads only its own files.
          this.packedFiles.clear();
          await rm(join(this.workDir, 'clean'), { recursive: true, force: true });
          // User timing entries: a benchmark reads how long each phase took without a case file changing.
          performance.measure(`casefile:gate:${source}`, { start: gateStarted, end: conversionStarted });
          performance.measure(`casefile:conversion:${source}`, { start: conversionStarted });
        }
      } finally {
        await gate.close();
      }
      // The parts written, listed once: their classes for the routes.
      const parquetFiles = (await readdir(dir, { recursive: true })).filter((n) => n.endsWith('.parquet'));
      if (written === 0) continue;
      const window = windowConditions(context, logSourceModule(source).timeExpression);
      const parts = partsOf(dir, classes !== null);
      await this.createViews(source, parts, window, null);
      for (const route of classes ? routesTaken(classes) : []) {
        await this.engine.execute(`CREATE SCHEMA IF NOT EXISTS ${routedSchema(route)}`);
        await this.createViews(source, routeParts(dir, parquetFiles, route), window, route);
      }
      if (classes) classed.push(source);
      tables.push({ source, table: source, locations: [dir], ...(await this.describe(source, parts)) });
    }
    return { tables, skipped, files: this.found.counts, quarantined: this.found.quarantined, classed };
  }

  /**
   * The classes, if DuckDB can write them. The class column is one expression in every batch's
   * statement, so a routed pattern it cannot compile (a regular expression RE2 rejects, such as
   * `^(Create`) would fail every batch, and every file would be skipped as unreadable. Tried once over
   * no rows: when it fails, the copy is written unclassed and every hunt reads every event, so the
   * hunt with that pattern fails alone (as in Athena, where a copy that fails is not made).
   */
  private async writableClasses(
    source: LogSourceId,
    classing: EventClassRouting,
    skipped: SkippedInput[],
  ): Promise<EventClassRouting | null> {
    try {
      await this.engine.execute(
        `SELECT ${classColumnSql(classing)} FROM (${withJudgements(source, NO_CLOUDTRAIL_ROWS)})`,
      );
      return classing;
    } catch (error) {
      skipped.push({
        input: `event classes of ${source}`,
        reason: `not written (${firstLineOf(error)}); every hunt reads every event`,
        stage: 'tables',
      });
      return null;
    }
  }

  /**
   * The source's view (its table's columns) and, for a judged source, the view with its judgements,
   * restricted to the case window; for a route, in the route's schema and of its classes alone. A
   * routed `cloudtrail_activity` (baselines) reads every event: the case's own view.
   */
  private async createViews(
    source: LogSourceId,
    parts: ParquetParts,
    window: string[],
    route: EventRoute | null,
  ): Promise<void> {
    // A route whose classes hold no file reads no row, with the columns of every other view.
    const conditions = [...window, ...(parts.empty ? ['false'] : [])];
    const rows = `${parts.read}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
    const judged = JUDGED_VIEWS[source];
    const hidden = judged?.columns.map((c) => c.name) ?? [];
    const exclude = (columns: string[]) => (columns.length > 0 ? ` EXCLUDE (${columns.join(', ')})` : '');
    // Quoted: a source id can be a DuckDB keyword (`lambda`).
    const name = (view: string) => (route ? `${routedSchema(route)}."${view}"` : `"${view}"`);
    await this.engine.execute(
      `CREATE OR REPLACE VIEW ${name(source)} AS SELECT *${exclude(hidden)} FROM ${rows}`,
    );
    if (judged)
      await this.engine.execute(`CREATE OR REPLACE VIEW ${name(judged.view)} AS SELECT * FROM ${rows}`);
    if (source === CLASSED_SOURCE)
      await this.engine.execute(
        cloudtrailActivityViewSql(name(CLOUDTRAIL_ACTIVITY_VIEW), `main."${CLOUDTRAIL_EVENTS_VIEW}"`),
      );
  }

  /**
   * Checks every record of every file before the engine reads it: records that do not fit are set
   * aside, damaged files give up only what follows the damage. Returns what the engine should read.
   */
  private async gate(
    source: LogSourceId,
    gate: RecordGatePool,
    files: InventoriedFile[],
    skipped: SkippedInput[],
  ): Promise<InventoriedFile[]> {
    const { counts, quarantined } = this.found;
    const gated = await gate.check(files);
    const readable: InventoriedFile[] = [];
    const packs = new Map<string, InventoriedFile>();
    gated.forEach((outcome, i) => {
      const file = files[i] as InventoriedFile;
      if (outcome instanceof Error) {
        skipped.push({ input: file.path, reason: `unreadable: ${outcome.message}`, stage: 'tables' });
        return;
      }
      if (outcome === null) {
        readable.push(file);
        return;
      }
      counts.push({
        file: file.path,
        source,
        records: outcome.read + outcome.quarantinedCount,
        read: outcome.read,
        quarantined: outcome.quarantinedCount,
        nulledValues: outcome.nulledValues,
        ...(outcome.damage ? { damage: outcome.damage } : {}),
      });
      quarantined.push(...outcome.quarantined);
      if (outcome.damage) skipped.push({ input: file.path, reason: damageNote(outcome), stage: 'tables' });
      if (outcome.read === 0) return;
      if (outcome.packed) {
        // Many files' records share a pack, read once, the size of all of them.
        const pack = packs.get(outcome.readFrom.path);
        if (pack) pack.size += outcome.readFrom.size;
        else {
          const first = { ...outcome.readFrom };
          packs.set(first.path, first);
          readable.push(first);
        }
        const packed = this.packedFiles.get(outcome.readFrom.path);
        if (packed) packed.push(file);
        else this.packedFiles.set(outcome.readFrom.path, [file]);
        return;
      }
      this.originalFiles.set(outcome.readFrom.path, file);
      readable.push(outcome.readFrom);
    });
    return readable;
  }

  /**
   * Converts a group of files in one pass; when the pass fails, halves the group until each bad
   * file stands alone and is recorded as skipped, so one corrupt file costs only itself.
   */
  private async convertIsolatingFailures(
    source: LogSourceId,
    group: FileGroup,
    dir: string,
    skipped: SkippedInput[],
    classes: EventClassRouting | null,
  ): Promise<number> {
    const part = `part-${String(++this.part).padStart(5, '0')}`;
    // A classed part is a folder of one file per class; both are written aside and moved in whole,
    // so a failed statement leaves nothing the views read.
    const target = join(dir, classes ? part : `${part}.parquet`);
    const pending = join(this.workDir, 'pending', `${source}-${part}`);
    try {
      const module = logSourceModule(source);
      const select = withJudgements(
        source,
        module.duckdbSelect(
          group.files.map((f) => f.path),
          group.layout,
          group.compressed,
        ),
      );
      const written = classes
        ? `SELECT *, ${classColumnSql(classes)} FROM (${select})`
        : module.duckdbClusterBy
          ? `${select} ORDER BY ${module.duckdbClusterBy}`
          : select;
      const layout = classes ? `, PARTITION_BY (${EVENT_CLASS_COLUMN})` : '';
      await mkdir(dirname(pending), { recursive: true });
      await this.engine.execute(
        `COPY (${written}) TO ${sqlString(pending)} (FORMAT parquet, COMPRESSION ${PARQUET_COMPRESSION}, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}${layout})`,
      );
      await rename(pending, target);
      return group.files.length;
    } catch (error) {
      await rm(pending, { recursive: true, force: true });
      const [only] = group.files;
      const packed = only && group.files.length === 1 ? this.packedFiles.get(only.path) : undefined;
      if (packed) {
        // The gate passed every record of the pack, so this is the engine's refusal: its files are
        // converted as they are, each on its own if need be, so the one it refuses costs only itself.
        let converted = 0;
        for (const files of conversionBatches(packed))
          converted += await this.convertIsolatingFailures(source, files, dir, skipped, classes);
        return converted;
      }
      if (group.files.length === 1 && only) {
        if (isOversizedRecordsFile(source, group, error))
          return this.convertOversized(source, only, dir, skipped, classes);
        const without = await this.withoutRefusedRecord(source, only, error, skipped);
        if (without) return this.convertIsolatingFailures(source, without, dir, skipped, classes);
        const input = this.inputOf(only.path);
        // Nothing of it is read: its count says so, whatever the gate found in it, and no note of its damage says otherwise.
        const count = this.found.counts.find((c) => c.file === input);
        if (count) count.read = 0;
        const partly = skipped.findIndex((s) => s.input === input && s.reason.startsWith('partly read: '));
        if (partly >= 0) skipped.splice(partly, 1);
        skipped.push({ input, reason: describeReadError(error), stage: 'tables' });
        return 0;
      }
      const middle = Math.ceil(group.files.length / 2);
      return (
        (await this.convertIsolatingFailures(
          source,
          { ...group, files: group.files.slice(0, middle) },
          dir,
          skipped,
          classes,
        )) +
        (await this.convertIsolatingFailures(
          source,
          { ...group, files: group.files.slice(middle) },
          dir,
          skipped,
          classes,
        ))
      );
    }
  }

  /** The input a file read comes from: the file itself, or the one a cleaned copy was made of. */
  private inputOf(path: string): string {
    return this.originalFiles.get(path)?.path ?? path;
  }

  /**
   * When the engine names the record it refuses, the file it came from is checked again with that
   * record set aside (the engine's reason kept), and the group to convert instead is returned: the
   * rewritten file. Null when the engine names none, names one already refused, or the file has
   * refused too many.
   */
  private async withoutRefusedRecord(
    source: LogSourceId,
    read: InventoriedFile,
    error: unknown,
    skipped: SkippedInput[],
  ): Promise<FileGroup | null> {
    const refusal = refusedRecord(error, read.path);
    const original = this.originalFiles.get(read.path) ?? read;
    const refused = this.refusals.get(original.path) ?? new Map<number, Refusal>();
    if (!refusal || refused.size >= MAX_REFUSED_RECORDS) return null;
    const module = logSourceModule(source);
    const attempt = join(this.workDir, 'clean', `refused-${refused.size + 1}`);
    // The engine counts the records it read (not a file's blank lines): in place or rewritten, those
    // are the records the gate keeps, in order, and a check of the file gives their places.
    const kept = await gateRecords(original, module, join(attempt, 'read', original.path), null, refused);
    const place = kept?.kept?.[refusal.value - 1];
    if (place === undefined || refused.has(place)) return null;
    refused.set(place, { reason: refusal.reason, quoted: refusal.quoted });
    this.refusals.set(original.path, refused);
    const outcome = await gateRecords(original, module, join(attempt, original.path), null, refused);
    // Where the engine quotes the record (or the object in it it refuses), the record set aside must
    // hold what it quotes: never another.
    if (!outcome || outcome.misplaced) {
      refused.delete(place);
      return null;
    }
    const count = this.found.counts.find((c) => c.file === original.path);
    if (count) {
      count.read = outcome.read;
      count.quarantined = outcome.quarantinedCount;
    }
    const note = skipped.find((s) => s.input === original.path && s.reason.startsWith('partly read: '));
    if (note && outcome.damage) note.reason = damageNote(outcome);
    const { quarantined } = this.found;
    for (let i = quarantined.length - 1; i >= 0; i -= 1)
      if (quarantined[i]?.file === original.path) quarantined.splice(i, 1);
    quarantined.push(...outcome.quarantined);
    this.originalFiles.set(outcome.readFrom.path, original);
    return { layout: outcome.readFrom.layout, compressed: false, files: [outcome.readFrom] };
  }

  /**
   * A delivery-shaped file too large to read as one JSON object is rewritten as one record per
   * line (streaming) and read in that layout; the skipped reason, if it still fails, names both.
   */
  private async convertOversized(
    source: LogSourceId,
    file: InventoriedFile,
    dir: string,
    skipped: SkippedInput[],
    classes: EventClassRouting | null,
  ): Promise<number> {
    const lines = join(dir, `oversized-${this.part + 1}.jsonl`);
    try {
      await recordsToLines(file.path, lines, file.compressed);
    } catch (error) {
      const input = this.inputOf(file.path);
      skipped.push({ input, reason: `unreadable: ${(error as Error).message}`, stage: 'tables' });
      return 0;
    }
    const rewritten = { layout: 'json-lines', compressed: false, files: [{ ...file, path: lines }] };
    const before = skipped.length;
    const converted = await this.convertIsolatingFailures(source, rewritten, dir, skipped, classes);
    for (const entry of skipped.slice(before)) entry.input = this.inputOf(file.path);
    await rm(lines, { force: true });
    return converted;
  }

  private async describe(
    source: LogSourceId,
    parts: ParquetParts,
  ): Promise<
    Pick<
      BuiltTable,
      'recordCount' | 'firstEventTime' | 'lastEventTime' | 'recordsWithoutTime' | 'recordsPerHour'
    >
  > {
    const time = logSourceModule(source).timeExpression;
    const { rows } = await this.engine.run(
      `SELECT count(*) AS records, epoch_ms(min(${time})) AS first_event, epoch_ms(max(${time})) AS last_event FROM "${source}"`,
    );
    const row = rows[0] ?? {};
    const untimed = await this.engine.run(
      `SELECT count(*) AS untimed FROM ${parts.read} WHERE ${time} IS NULL`,
    );
    // The report draws each source's volume with the hits on it; Parquet makes this a cheap scan.
    const hours = await this.engine.run(
      `SELECT epoch_ms(date_trunc('hour', ${time})) AS hour, count(*) AS records FROM "${source}" WHERE ${time} IS NOT NULL GROUP BY 1 ORDER BY 1`,
      { maxRows: MAX_VOLUME_HOURS },
    );
    return {
      ...(hours.truncated
        ? {}
        : {
            recordsPerHour: hours.rows.map((h) => ({
              hour: isoInstant(h.hour ?? '0'),
              records: Number(h.records),
            })),
          }),
      recordCount: Number(row.records ?? 0),
      recordsWithoutTime: Number(untimed.rows[0]?.untimed ?? 0),
      ...(row.first_event ? { firstEventTime: isoInstant(row.first_event) } : {}),
      ...(row.last_event ? { lastEventTime: isoInstant(row.last_event) } : {}),
    };
  }
}

/**
 * A view the hunts read, of a source's table and the judgements it adds (who acted, whether AWS
 * acted, whether the call failed), each an expression over the table's columns. The embedded engine
 * stores the judgements in the Parquet as it writes it, computed once per event, and the source's
 * own view leaves them out: through the view, every hunt over every event computed them again
 * (the outcome parses the response as JSON). On the 1 M-event bench corpus the library's 130 hunts
 * took 11.4 CPU seconds through the view and 4.0 over the stored columns, for about 0.8 more in the conversion.
 */
const JUDGED_VIEWS: Partial<
  Record<LogSourceId, { view: string; columns: readonly { name: string; sql: string }[] }>
> = { cloudtrail: { view: CLOUDTRAIL_EVENTS_VIEW, columns: CLOUDTRAIL_EVENTS_COLUMNS } };

/** The column a classed copy is split by: the Athena copy's own class expression. */
function classColumnSql(classes: EventClassRouting): string {
  return eventClassExpression(CLASSED_NAME_COLUMN, classes, 'list-subquery');
}

/** No CloudTrail rows, typed as its reader's (a JSON column is read as text): what a class expression binds against. */
const NO_CLOUDTRAIL_ROWS = `SELECT ${cloudtrailColumns
  .map((c) => `CAST(NULL AS ${c.duckdb === 'JSON' ? 'VARCHAR' : c.duckdb}) AS "${c.name}"`)
  .join(', ')} WHERE false`;

/** The rows a source's reader selects, with the judgements of its judged view beside them. */
function withJudgements(source: LogSourceId, select: string): string {
  const judged = JUDGED_VIEWS[source];
  if (!judged) return select;
  return `SELECT *, ${judged.columns.map((c) => `${c.sql} AS ${c.name}`).join(', ')} FROM (${select})`;
}

interface FileGroup {
  layout: InventoriedFile['layout'];
  compressed: boolean;
  files: InventoriedFile[];
}

function isOversizedRecordsFile(source: LogSourceId, group: FileGroup, error: unknown): boolean {
  return (
    source === 'cloudtrail' && group.layout === 'records-object' && /maximum_object_size/.test(String(error))
  );
}

/**
 * One more worker than cores: a worker between files (its answer posted, the next file read) leaves
 * its core idle, and the tables wait for the gate. On the 1 M-event bench corpus with 2 cores, three
 * workers checked every file in 0.95 of the time two took; four, no faster than three.
 */
const GATE_WORKERS = availableParallelism() + 1;

/**
 * Snappy, not zstd: every hunt decompresses the columns it reads, and the copy lives only as long
 * as the case's run. On the 1 M-event bench corpus the 130 hunts took 3.8 CPU seconds over snappy
 * and 4.4 over zstd, for a copy of 68 MB instead of 36 MB.
 */
const PARQUET_COMPRESSION = 'snappy';

/**
 * Rows per Parquet row group, the unit a filter skips by its min/max: DuckDB's default (122,880)
 * spans most API names even when sorted by name; at this size a hunt naming a few calls reads a few
 * groups, and the writer holds a smaller group in memory.
 */
const ROW_GROUP_ROWS = 16_384;

/**
 * The JSON one statement converts at most. Bounded so that sorting a batch by the source's cluster
 * column needs the same memory at any corpus size, and the conversion's time grows linearly with the
 * corpus. Sorting holds the batch's rows at several times their JSON size: on the bench corpus the
 * whole 1 M events (1.4 GB of JSON) sorted at once took the process to 1.9 GB, 250 files (140 MB of
 * JSON) to 1.1 GB, 100 files to 0.7 GB; smaller batches cost more CPU (each statement starts anew).
 */
const BATCH_JSON_BYTES = 128 * 1024 * 1024;
/** gzip shrinks log JSON about 13 times (CloudTrail, the bench corpus); 10 errs towards smaller batches. */
const GZIP_RATIO = 10;

/** A file's JSON as the batches and rounds count it: its size, or ten times it when compressed. */
function jsonBytes(file: InventoriedFile): number {
  return file.compressed ? file.size * GZIP_RATIO : file.size;
}

/** The files in statements of one layout each and about BATCH_JSON_BYTES each. */
function conversionBatches(files: InventoriedFile[]): FileGroup[] {
  const open = new Map<string, FileGroup & { bytes: number }>();
  const batches: FileGroup[] = [];
  for (const file of files) {
    const key = `${file.layout}/${file.compressed}`;
    const bytes = jsonBytes(file);
    let batch = open.get(key);
    if (batch && batch.bytes + bytes > BATCH_JSON_BYTES) batch = undefined;
    if (!batch) {
      batch = { layout: file.layout, compressed: file.compressed, files: [], bytes: 0 };
      open.set(key, batch);
      batches.push(batch);
    }
    batch.files.push(file);
    batch.bytes += bytes;
  }
  return batches.map(({ layout, compressed, files: batchFiles }) => ({
    layout,
    compressed,
    files: batchFiles,
  }));
}

/** What a damaged file gave up, said as it is skipped in part (or whole, when none of its records is read). */
function damageNote(outcome: { damage: string | null; read: number }): string {
  return outcome.read === 0
    ? `unreadable: ${outcome.damage}`
    : `partly read: ${outcome.damage}; the ${outcome.read} records before it were read`;
}

/**
 * The JSON one round gates and converts at most: packs and cleaned copies hold a round's records as
 * text in the work folder until its conversion ends.
 */
const ROUND_JSON_BYTES = 1024 * 1024 * 1024;

/** The files in order, in as few rounds of at most about `limit` bytes of JSON as can be, of even sizes. */
function rounds(files: InventoriedFile[], limit: number): InventoriedFile[][] {
  const total = files.reduce((sum, file) => sum + jsonBytes(file), 0);
  const each = total / Math.max(1, Math.ceil(total / limit));
  const all: InventoriedFile[][] = [[]];
  let bytes = 0;
  for (const file of files) {
    if (bytes >= each) {
      all.push([]);
      bytes = 0;
    }
    all.at(-1)?.push(file);
    bytes += jsonBytes(file);
  }
  return all;
}

/** How a builder reads its files; each defaults to what suits a case (tests make rounds small). */
export interface ReadingOptions {
  /** The JSON a round gates and converts at most (ROUND_JSON_BYTES). */
  roundJsonBytes?: number;
  /** The gate's worker threads for a source of at least `workerThresholdBytes` (else in this thread). */
  gateWorkers?: number;
  workerThresholdBytes?: number;
}

/** Two years of hours; a longer span is drawn from the hits alone. */
const MAX_VOLUME_HOURS = 2 * 366 * 24;

function isoInstant(epochMs: string): string {
  return new Date(Number(epochMs)).toISOString();
}

function windowConditions(context: CaseContext, timeExpression: string): string[] {
  const bounds: string[] = [];
  for (const [instant, operator] of [
    [context.closedWindow.from, '>='],
    [context.closedWindow.to, '<='],
  ] as const) {
    // An unbounded end filters nothing, and keeps the records whose time could not be read.
    if (instant === UNBOUNDED_FROM || instant === UNBOUNDED_TO) continue;
    if (!ISO_INSTANT.test(instant)) throw new Error(`window bound '${instant}' is not a normalised instant`);
    bounds.push(`${timeExpression} ${operator} from_iso8601_timestamp('${instant}')`);
  }
  return bounds;
}

/** How a source's views read its Parquet parts; `empty` when a route's classes hold no file. */
interface ParquetParts {
  read: string;
  empty?: boolean;
}

/**
 * A source's parts, every class of a classed copy (a folder per part, a folder per class in it:
 * `part-00001/event_class=named/...`). Never as hive partitions: DuckDB takes every `name=value`
 * folder of the path for a column (detected even when not asked for), so a temporary folder such as
 * `/scratch/eventname=x/` would give every event that name, and `/scratch/job=1/` every view a column `job`.
 * https://duckdb.org/docs/stable/data/partitioning/hive_partitioning
 */
function partsOf(dir: string, classed: boolean): ParquetParts {
  const files = classed ? join(dir, '*', '*', '*.parquet') : join(dir, '*.parquet');
  return { read: `read_parquet(${sqlString(files)}, hive_partitioning = false)` };
}

/**
 * The files of a route's classes, listed: DuckDB opens no other. A filter on the file's path did the
 * same but cost each routed hunt 7 ms instead of 4 on the bench corpus (a view over a listed file set
 * plans faster than one over a glob filtered by a regular expression on `filename`).
 */
function routeParts(dir: string, parquetFiles: string[], route: EventRoute): ParquetParts {
  const folders = new Set(ROUTE_CLASSES[route].map((c) => `${EVENT_CLASS_COLUMN}=${c}`));
  const files = parquetFiles.filter((path) => folders.has(path.split(sep)[1] ?? '')).sort();
  if (files.length === 0) return { ...partsOf(dir, true), empty: true };
  const list = files.map((path) => sqlString(join(dir, path))).join(', ');
  return { read: `read_parquet([${list}], hive_partitioning = false)` };
}

/** The schema holding a route's views: its hunts resolve `cloudtrail_events` there first. */
export function routedSchema(route: EventRoute): string {
  return `route_${route.replaceAll('-', '_')}`;
}

/** DuckDB's messages carry the whole query; the responder needs the cause and the line. */
function describeReadError(error: unknown): string {
  return `unreadable: ${firstLineOf(error)}`;
}

function firstLineOf(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  const firstLine = message.split('\n').find((line) => line.trim() !== '') ?? message;
  return firstLine.replace(/^QueryFailedError: /, '').slice(0, 400);
}
