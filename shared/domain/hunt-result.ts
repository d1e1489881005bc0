import type { EngineName } from './case.js';
import { type HuntDefinition, type HuntKind, recordIdColumns, type Severity } from './hunt-definition.js';

export type HuntStatus = 'SUCCEEDED' | 'FAILED';

/** `hunts/<huntId>.json`: what ran, how, and what it found; the rows themselves are in the CSV. */
export interface HuntResultRecord {
  huntId: string;
  title: string;
  description: string;
  severity: Severity;
  kind: HuntKind;
  mitre: string[];
  tactics: string[];
  triage: string;
  /** The hunt's own choice of columns for the report's tables (see HuntDefinition). */
  reportColumns?: string[];
  status: HuntStatus;
  engine: EngineName;
  query: string;
  parameters: (string | number | boolean)[];
  /** Every row the hunt matched, less those the allowlist suppressed. */
  rowCount: number;
  /** True only where a row cap was configured and cut the CSV short: it then holds `rowsInCsv`. */
  truncated: boolean;
  rowsInCsv?: number;
  columns: string[];
  /** The first rows, so the report needs no CSV parsing. */
  sample: Record<string, string | null>[];
  resultsFile: string | null;
  /**
   * Rows the case's allowlist matched: left out of the CSV and the row count, but counted here with
   * the entry that matched, so a suppression is never silent.
   */
  suppressedByAllowlist: {
    count: number;
    sample: { entry: string; eventid: string | null; actor: string | null }[];
  };
  durationMs: number;
  bytesScanned: number | null;
  queryId: string | null;
  /**
   * Athena: the event classes of the CloudTrail copy the query read, when `tables.json` routed the
   * hunt to its named events (shared/domain/event-classes.ts); absent when it read every event.
   */
  eventClasses?: string[];
  error: { name: string; message: string } | null;
}

/** What a hunt step hands back to the workflow: small, so 80 of them fit in one state. */
export interface HuntOutcome {
  huntId: string;
  status: HuntStatus;
  severity?: Severity;
  rowCount?: number;
  error?: string;
  cause?: string;
}

export const SAMPLE_ROWS = 25;

/** The record id of an event row, from the first of the sources' id columns the hunt returns. */
export function rowRecordId(columns: string[], row: Record<string, string | null>): string | null {
  const idColumn = recordIdColumns.find((name) => columns.includes(name));
  return idColumn ? (row[idColumn] ?? null) : null;
}

export function huntMetadata(hunt: HuntDefinition) {
  const { id, title, description, severity, kind, mitre, tactics, triage, reportColumns } = hunt;
  return {
    huntId: id,
    title,
    description,
    severity,
    kind,
    mitre,
    tactics,
    triage,
    ...(reportColumns ? { reportColumns } : {}),
  };
}

/** `MAX_HUNT_ROWS` from the environment: a positive integer, or no cap. */
export function maxHuntRowsFrom(value: string | undefined): { maxHuntRows?: number } {
  if (value === undefined || value === '') return {};
  const cap = Number(value);
  if (!Number.isInteger(cap) || cap < 1)
    throw new Error(`MAX_HUNT_ROWS must be a positive integer, not '${value}'.`);
  return { maxHuntRows: cap };
}
