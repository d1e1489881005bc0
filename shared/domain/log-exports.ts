import type { LogSourceId } from './log-sources.js';

/**
 * CloudWatch-only logs (EKS audit, Lambda, API Gateway, often flow and DNS logs) are exported for
 * exactly the case window into the case folder, where they are queried like any other source.
 */
export interface LogGroupExport {
  logGroup: string;
  /** Where the group lives; exports run one at a time per account and region (an AWS limit). */
  account: string | null;
  region: string | null;
  /** The part of the case window the group still holds. */
  from: string;
  to: string;
  /** Set when the window starts before the group's retention: events before this are gone. */
  lostBefore: string | null;
  /** Local dumps: the files holding this group's events. */
  files?: string[];
  /** The source its events are, when the service writing the group told the inventory (flow logs, WAF). */
  source?: LogSourceId;
}

export type ExportStatus = 'PENDING' | 'RUNNING' | 'PENDING_CANCEL' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

export interface ExportOutcome {
  logGroup: string;
  status: ExportStatus;
  reason: string | null;
  /** The case-folder prefix holding the exported files. */
  destination: string | null;
}

/** Retention in days → the earliest instant a group still holds, given when we look. */
export function retainedWindow(
  window: { from: string; to: string },
  retentionInDays: number | null,
  now: Date,
): { from: string; to: string; lostBefore: string | null } | null {
  if (retentionInDays === null) return { ...window, lostBefore: null };
  const earliest = new Date(now.getTime() - retentionInDays * 86_400_000).toISOString();
  if (earliest >= window.to) return null;
  return earliest > window.from
    ? { from: earliest, to: window.to, lostBefore: earliest }
    : { ...window, lostBefore: null };
}

/**
 * Groups to export are worked through in batches of this many, one child execution of the export
 * Map each: small enough that a batch's outcomes and history stay far inside Step Functions' limits
 * (about twenty history events a group, 25,000 an execution), large enough that a thousand groups are
 * twenty children.
 */
export const EXPORT_BATCH_SIZE = 50;

/** The batch numbers for this many groups: what the workflow's state carries instead of the groups. */
export function exportBatchNumbers(groups: number): number[] {
  return Array.from({ length: Math.ceil(groups / EXPORT_BATCH_SIZE) }, (_, batch) => batch);
}

/** The groups of one batch, in inventory order. */
export function exportBatch<T>(groups: T[], batch: number): T[] {
  return groups.slice(batch * EXPORT_BATCH_SIZE, (batch + 1) * EXPORT_BATCH_SIZE);
}
