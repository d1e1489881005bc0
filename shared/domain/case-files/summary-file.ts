import { z } from 'zod';
import type { CaseScope } from '../case-scope.js';
import type { CoverageEntry } from '../coverage.js';
import { type Severity, severities } from '../hunt-definition.js';
import type { HuntNotRun } from '../hunt-selection.js';
import type { FileRecordCount, SkippedInput } from '../inventory.js';
import { logSourceIds } from '../log-sources.js';
import type { TimeWindow } from '../time-window.js';
import { coverageEntrySchema, skippedInputSchema } from './inventory-file.js';
import { fileRecordCountSchema, huntNotRunSchema } from './tables-file.js';

/** One hunt that reported a timeline entry's event. */
export interface TimelineHunt {
  huntId: string;
  title: string;
  severity: Severity | 'ioc';
}

export interface TimelineEntry {
  time: string;
  /** The highest severity of the hunts that found the event; `ioc` when only a pivot hunt did. */
  severity: Severity | 'ioc';
  /** The most severe of `hunts`. */
  huntId: string;
  title: string;
  /** Every hunt that reported this event (one record found by two hunts is one entry). */
  hunts: TimelineHunt[];
  /** The event is among what one of the case's indicators did. */
  ioc: boolean;
  /** What the call achieved: the hunt's `outcome` column, else its error code or success. */
  outcome: string | null;
  accountId: string | null;
  region: string | null;
  accessKeyId: string | null;
  userAgent: string | null;
  /** What the event acted on (`bucket: prod-exports`), from the hunt's deciding column. */
  target: string | null;
  eventName: string | null;
  actor: string | null;
  sourceIp: string | null;
  eventId: string | null;
  /** Repeats of the same call by the same actor from the same address, folded into this entry. */
  repeats: number;
  lastTime: string;
}

export interface TimelineLimits {
  rowsPerFinding: number;
  entries: number;
  /** Entries beyond `entries`, least severe first, that the timeline leaves out. */
  entriesLeftOut: number;
  cut: { huntId: string; resultsFile: string | null; rowsLeftOut: number }[];
}

export interface CaseSummary {
  caseId: string;
  engine: string;
  window: TimeWindow;
  /** The span of the records actually loaded, which may be narrower or wider than the window. */
  observed: { firstEventTime: string | null; lastEventTime: string | null };
  sources: { source: string; records: number | null; locations: string[] }[];
  hunts: { run: number; succeeded: number; failed: number; withFindings: number; notRun: number };
  findingsBySeverity: Record<Severity, number>;
  /** Pivot hunts: what the request's indicators did, kept apart from detections. */
  iocActivity: { huntId: string; title: string; rowCount: number; resultsFile: string | null }[];
  findings: {
    huntId: string;
    title: string;
    severity: Severity;
    mitre: string[];
    tactics: string[];
    rowCount: number;
    resultsFile: string | null;
  }[];
  /** The ATT&CK release the technique ids and tactic names refer to. */
  attackVersion: string;
  attackCoverage: { tactic: string; huntsRun: number; huntsWithFindings: number; techniques: string[] }[];
  timeline: TimelineEntry[];
  /** How the timeline was bounded: the rows read per finding, and what was left in each CSV. */
  timelineLimits: TimelineLimits;
  /** Sources that are missing, partial or out of retention, with what that costs the investigation. */
  coverageGaps: CoverageEntry[];
  failedHunts: { huntId: string; error: string }[];
  /** Rows the allowlist left out, per hunt: a suppression is a decision the responder can review. */
  suppressedByAllowlist: { huntId: string; count: number }[];
  huntsNotRun: HuntNotRun[];
  /** The accounts, regions and sources the case was narrowed to; absent or null: every one found. */
  scope?: CaseScope;
  skipped: SkippedInput[];
  /** Files with records set aside (`quarantine/<source>.jsonl`) or values read as NULL: records = read + set aside. */
  recordsSetAside: FileRecordCount[];
}

const severity = z.enum(severities);

/** A case's scope as case.json and summary.json keep it; null is every one found. */
export const caseScopeSchema = z.strictObject({
  accounts: z.array(z.string()).nullable(),
  regions: z.array(z.string()).nullable(),
  sources: z.array(z.enum(logSourceIds)).nullable(),
});
const nullableString = z.string().nullable();
export const timeWindowSchema: z.ZodType<TimeWindow> = z.strictObject({
  from: nullableString,
  to: nullableString,
});
export const huntCountsSchema = z.strictObject({
  run: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  withFindings: z.number(),
  notRun: z.number(),
});
export const findingsBySeveritySchema = z.record(severity, z.number());
export const observedSchema = z.strictObject({
  firstEventTime: nullableString,
  lastEventTime: nullableString,
});

const timelineSeverity = z.union([severity, z.literal('ioc')]);
const timelineEntrySchema: z.ZodType<TimelineEntry> = z.strictObject({
  time: z.string(),
  severity: timelineSeverity,
  huntId: z.string(),
  title: z.string(),
  hunts: z.array(z.strictObject({ huntId: z.string(), title: z.string(), severity: timelineSeverity })),
  ioc: z.boolean(),
  outcome: nullableString,
  accountId: nullableString,
  region: nullableString,
  accessKeyId: nullableString,
  userAgent: nullableString,
  target: nullableString,
  eventName: nullableString,
  actor: nullableString,
  sourceIp: nullableString,
  eventId: nullableString,
  repeats: z.number(),
  lastTime: z.string(),
});

/** `summary.json`: what the report is rendered from. */
export const summarySchema: z.ZodType<CaseSummary> = z.strictObject({
  caseId: z.string(),
  engine: z.string(),
  window: timeWindowSchema,
  observed: observedSchema,
  sources: z.array(
    z.strictObject({ source: z.string(), records: z.number().nullable(), locations: z.array(z.string()) }),
  ),
  hunts: huntCountsSchema,
  findingsBySeverity: findingsBySeveritySchema,
  iocActivity: z.array(
    z.strictObject({
      huntId: z.string(),
      title: z.string(),
      rowCount: z.number(),
      resultsFile: nullableString,
    }),
  ),
  findings: z.array(
    z.strictObject({
      huntId: z.string(),
      title: z.string(),
      severity,
      mitre: z.array(z.string()),
      tactics: z.array(z.string()),
      rowCount: z.number(),
      resultsFile: nullableString,
    }),
  ),
  attackVersion: z.string(),
  attackCoverage: z.array(
    z.strictObject({
      tactic: z.string(),
      huntsRun: z.number(),
      huntsWithFindings: z.number(),
      techniques: z.array(z.string()),
    }),
  ),
  timeline: z.array(timelineEntrySchema),
  timelineLimits: z.strictObject({
    rowsPerFinding: z.number(),
    entries: z.number(),
    entriesLeftOut: z.number(),
    cut: z.array(
      z.strictObject({ huntId: z.string(), resultsFile: nullableString, rowsLeftOut: z.number() }),
    ),
  }),
  coverageGaps: z.array(coverageEntrySchema),
  failedHunts: z.array(z.strictObject({ huntId: z.string(), error: z.string() })),
  suppressedByAllowlist: z.array(z.strictObject({ huntId: z.string(), count: z.number() })),
  huntsNotRun: z.array(huntNotRunSchema),
  scope: caseScopeSchema.optional(),
  skipped: z.array(skippedInputSchema),
  recordsSetAside: z.array(fileRecordCountSchema),
});
