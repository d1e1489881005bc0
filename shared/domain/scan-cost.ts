import { type AthenaEstimate, billed, type QueryEstimate, total } from './athena-estimate.js';
import type { EngineName } from './case.js';

/** One query the case ran and what Athena scanned for it: DDL and the one-pass copy, or a hunt. */
export interface ScannedQuery {
  purpose: string;
  queryId: string | null;
  bytesScanned: number;
}

/**
 * `scan-cost.json`: what the case was estimated to scan before its hunts ran and what Athena says it
 * scanned (`DataScannedInBytes` of every query, DDL and CTAS included), billed the way Athena bills
 * (each query rounded up to the megabyte, 10 MB at least; https://aws.amazon.com/athena/pricing/) at
 * the configured price. The embedded engine bills nothing: `scanned` is null and `note` says so.
 */
export interface ScanCost {
  engine: EngineName;
  pricePerTbUsd: number;
  estimated: QueryEstimate | null;
  scanned: (QueryEstimate & { queries: number }) | null;
  queries: ScannedQuery[];
  note: string | null;
}

export const NOT_BILLED = 'not billed (embedded engine)';

export function scanCostOfCase(input: {
  engine: EngineName;
  pricePerTbUsd: number;
  estimate: AthenaEstimate | null;
  queries: ScannedQuery[];
}): ScanCost {
  const estimated = input.estimate
    ? input.estimate.copies.length > 0
      ? input.estimate.withOnePass
      : input.estimate.direct
    : null;
  if (input.engine === 'duckdb') {
    return {
      engine: 'duckdb',
      pricePerTbUsd: input.pricePerTbUsd,
      estimated,
      scanned: null,
      queries: [],
      note: NOT_BILLED,
    };
  }
  const each = input.queries.map((q) => billed(q.bytesScanned, input.pricePerTbUsd));
  return {
    engine: input.engine,
    pricePerTbUsd: input.pricePerTbUsd,
    estimated,
    scanned: { ...total(each, input.pricePerTbUsd), queries: input.queries.length },
    queries: input.queries,
    note: estimated ? null : 'no estimate: the inventory did not list the objects of the window',
  };
}

/** "estimated X, scanned Y, cost Z": the line report.md and report.html give the case's bill. */
export function scanCostLine(cost: ScanCost): string {
  const estimated = cost.estimated ? `estimated ${formatBytes(cost.estimated.bytes)}` : 'no estimate';
  if (!cost.scanned) return `${estimated}, ${cost.note ?? NOT_BILLED}`;
  return `${estimated}, scanned ${formatBytes(cost.scanned.bytes)} in ${cost.scanned.queries} queries (billed ${formatBytes(cost.scanned.billedBytes)}), cost USD ${cost.scanned.costUsd.toFixed(4)} at USD ${cost.pricePerTbUsd} per TB`;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
