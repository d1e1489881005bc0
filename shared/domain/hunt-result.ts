import type { EngineName } from './case.js';
import type { HuntDefinition, HuntKind, Severity } from './hunt-definition.js';

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
  rowCount: number;
  truncated: boolean;
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

/**
 * The record id of an event row: `eventid` for CloudTrail, and for other sources the column after
 * the six shared leading ones (`request_id`, `auditid`, `finding_id`...), by the hunts' convention.
 */
export function rowRecordId(columns: string[], row: Record<string, string | null>): string | null {
  if (row.eventid) return row.eventid;
  const idColumn = columns[6];
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
