import type { LogSourceId } from './log-sources.js';

/**
 * What a case costs in Athena before it runs, from the sizes of the objects its tables read.
 *
 * Athena bills the bytes a query reads from S3, compressed as stored, rounded up to the megabyte with
 * a 10 MB minimum per query, at $5 per TB in most regions; DDL costs nothing
 * (https://aws.amazon.com/athena/pricing/). A JSON or text log is read whole by every query that
 * touches it, so a hunt reads every object of each of its sources in the window. A one-pass CTAS
 * copy to Parquet reads them once, and each hunt then reads the copy, which is smaller than the
 * gzip source (measured locally by the benchmark: `parquetPerSourceByte`); a hunt reading only some
 * columns reads less still, so the copy's whole size is an upper bound.
 */
export const DEFAULT_PRICE_PER_TB_USD = 5;
/**
 * Parquet (zstd) bytes per gzip byte of CloudTrail delivery files, measured by `npm run bench` at
 * 4 million events (`bench/results.json`: the conversion's sizes).
 */
export const MEASURED_PARQUET_PER_GZIP_BYTE = 0.28;
const MB = 2 ** 20;
const TB = 2 ** 40;
const MINIMUM_BILLED_BYTES = 10 * MB;

export interface ListedObject {
  source: LogSourceId;
  /** The S3 key: its `YYYY/MM/DD/` (delivery day) decides whether the window reads it. */
  key: string;
  size: number;
}

export interface EstimateInput {
  objects: ListedObject[];
  hunts: { huntId: string; sources: LogSourceId[] }[];
  /** The case window; objects whose key carries a delivery day outside it (widened a day each side) are not read. */
  window?: { from: string | null; to: string | null };
  pricePerTbUsd?: number;
  /** Parquet bytes per compressed source byte, for the CTAS alternative. */
  parquetPerSourceByte: number;
}

export interface QueryEstimate {
  bytes: number;
  billedBytes: number;
  costUsd: number;
}

export interface AthenaEstimate {
  pricePerTbUsd: number;
  parquetPerSourceByte: number;
  sourceBytes: Partial<Record<LogSourceId, number>>;
  hunts: (QueryEstimate & { huntId: string })[];
  /** Every hunt reading the logs as delivered. */
  direct: QueryEstimate;
  /** One CTAS per source reading the logs once, then every hunt reading the Parquet copy. */
  withParquetCopy: QueryEstimate & { copyBytes: number };
}

export function estimateAthenaCost(input: EstimateInput): AthenaEstimate {
  const price = input.pricePerTbUsd ?? DEFAULT_PRICE_PER_TB_USD;
  if (!(price >= 0)) throw new RangeError(`price per TB must be a non-negative number, got ${price}`);
  if (!(input.parquetPerSourceByte > 0))
    throw new RangeError(`parquetPerSourceByte must be positive, got ${input.parquetPerSourceByte}`);
  const inWindow = deliveryDayTest(input.window);
  const sourceBytes: Partial<Record<LogSourceId, number>> = {};
  for (const object of input.objects) {
    if (!Number.isSafeInteger(object.size) || object.size < 0)
      throw new RangeError(`object ${object.key} has no valid size (${object.size})`);
    if (inWindow(object.key)) sourceBytes[object.source] = (sourceBytes[object.source] ?? 0) + object.size;
  }
  const read = (sources: LogSourceId[], perByte: number) =>
    [...new Set(sources)].reduce((sum, s) => sum + Math.ceil((sourceBytes[s] ?? 0) * perByte), 0);
  const query = (bytes: number): QueryEstimate => billed(bytes, price);
  const hunts = input.hunts.map((h) => ({ huntId: h.huntId, ...query(read(h.sources, 1)) }));
  const copies = (Object.keys(sourceBytes) as LogSourceId[])
    .filter((s) => input.hunts.some((h) => h.sources.includes(s)))
    .map((s) => query(read([s], 1)));
  const onCopy = input.hunts.map((h) => query(read(h.sources, input.parquetPerSourceByte)));
  const copyBytes = sum(copies, 'bytes');
  return {
    pricePerTbUsd: price,
    parquetPerSourceByte: input.parquetPerSourceByte,
    sourceBytes,
    hunts,
    direct: total(hunts, price),
    withParquetCopy: { ...total([...copies, ...onCopy], price), copyBytes },
  };
}

function billed(bytes: number, price: number): QueryEstimate {
  const billedBytes = Math.max(MINIMUM_BILLED_BYTES, Math.ceil(bytes / MB) * MB);
  return { bytes, billedBytes, costUsd: (billedBytes / TB) * price };
}

function total(queries: QueryEstimate[], price: number): QueryEstimate {
  const billedBytes = sum(queries, 'billedBytes');
  return { bytes: sum(queries, 'bytes'), billedBytes, costUsd: (billedBytes / TB) * price };
}

function sum(queries: QueryEstimate[], field: 'bytes' | 'billedBytes'): number {
  return queries.reduce((s, q) => s + q[field], 0);
}

const DELIVERY_DAY = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})\//;
const DAY_MS = 86_400_000;

/**
 * The key's date is the delivery day, which can be a day after the event (and a day before, across
 * time zones of the writer): a day of slack each side, as the Athena partition projection allows.
 */
function deliveryDayTest(window: EstimateInput['window']): (key: string) => boolean {
  const from = window?.from ? Date.parse(window.from.slice(0, 10)) - DAY_MS : Number.NEGATIVE_INFINITY;
  const to = window?.to ? Date.parse(window.to.slice(0, 10)) + DAY_MS : Number.POSITIVE_INFINITY;
  return (key) => {
    const day = DELIVERY_DAY.exec(key);
    if (!day) return true;
    const at = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    return at >= from && at <= to;
  };
}
