import { InvalidRequestError } from '../errors.js';
import { parseAllowlist } from './allowlist.js';
import { parseRerunRequest, type RerunRequest } from './case-runs.js';
import { type CaseSchedule, parseCaseSchedule } from './case-schedule.js';
import { type CaseScope, parseCaseScope } from './case-scope.js';
import { type Iocs, parseIocs } from './iocs.js';
import { type ClosedTimeWindow, closeTimeWindow, parseTimeWindow, type TimeWindow } from './time-window.js';

export type EngineName = 'athena' | 'duckdb';

/** What a responder (or a trigger) asks for. Everything is optional but the intent to investigate. */
export interface InvestigationRequest {
  caseId?: string;
  from?: string;
  to?: string;
  /** Narrow the case to these accounts, regions and log sources; every one found when absent. */
  accounts?: string[];
  regions?: string[];
  sources?: string[];
  /** Restrict the run to these hunts (ids); by default every hunt whose sources exist runs. */
  huntIds?: string[];
  /**
   * Hunts run at once; Athena's per-account concurrency limits make a cap worth having. Athena's
   * "active DML queries" quota (running and queued, region-dependent) answers more with
   * TooManyRequestsException, which the query engine and the workflow's Retry both back off from
   * (https://docs.aws.amazon.com/athena/latest/ug/service-limits.html).
   */
  maxConcurrency?: number;
  /** The most Athena may scan for this case, in bytes; the deployment's own cap applies too (the smaller wins). */
  maxScanBytes?: number;
  /** Who asked and why, kept in case.json for the record. */
  requestedBy?: string;
  reason?: string;
  /** Indicators to pivot on: pivot hunts return everything each one did in the window. */
  iocs?: Iocs;
  /** Known-good actors for this case, added to the deployment's allowlist. */
  allowlist?: unknown;
  /** Sigma rules for CloudTrail to run alongside the library, as `{ file, text }`. */
  sigmaRules?: { file: string; text: string }[];
  /** Run the case again every so often for so many days (see case-schedule.ts). */
  schedule?: Pick<CaseSchedule, 'every' | 'forDays'>;
  /** The `updatedAt` of the GuardDuty finding that opened the case: later updates extend it. */
  findingUpdatedAt?: string;
  /** Opens the next run of an existing case instead of a new case (see case-runs.ts). */
  rerun?: RerunRequest;
}

/** The small state that flows between the workflow's steps; everything large lives in the case folder. */
export interface CaseContext {
  caseId: string;
  /** The window as asked for, open ends kept: what case.json and the report show. */
  window: TimeWindow;
  /** The same window closed once, when the case opened: what every step searches. */
  closedWindow: ClosedTimeWindow;
  engine: EngineName;
  /**
   * The accounts, regions and sources the case looks at (see case-scope.ts). OpenCase sets it on
   * every case; a context without it (one written before scopes, a test's) means the whole estate.
   */
  scope?: CaseScope;
  openedAt: string;
  maxConcurrency: number;
  /** The request's scan budget in bytes, or null for none (see shared/domain/scan-budget.ts). */
  maxScanBytes?: number | null;
  huntIds: string[] | null;
  iocs: Iocs;
  requestedBy: string | null;
  reason: string | null;
  /**
   * The run that holds the case folder's claim (the Step Functions execution name, or the local
   * run's id); every file the run writes is tagged with it. Set by OpenCase.
   */
  runId?: string;
  /** Which run of the case this is: absent for run 1, 2 and up for a re-run (its files go under `runs/<n>/`). */
  run?: number;
}

/** A case id: also the Step Functions execution name and the case folder's name. */
export const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
const HUNT_ID = /^[a-z0-9][a-z0-9-]{1,79}$/;
const DEFAULT_MAX_CONCURRENCY = 4;

export function newCaseId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `case-${stamp}-${Math.random().toString(16).slice(2, 8)}`;
}

/** Validates a request from any trigger and turns it into the case's context. */
export function openCaseContext(request: unknown, engine: EngineName, now: Date): CaseContext {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new InvalidRequestError('The investigation request must be a JSON object.');
  }
  const r = request as Record<string, unknown>;
  const caseId = optionalString(r, 'caseId') ?? newCaseId(now);
  if (!CASE_ID.test(caseId)) {
    throw new InvalidRequestError(
      `caseId '${caseId}' must be 1-80 letters, digits, '.', '_' or '-', starting with a letter or digit.`,
    );
  }
  const maxConcurrency = r.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
  if (
    !Number.isInteger(maxConcurrency) ||
    (maxConcurrency as number) < 1 ||
    (maxConcurrency as number) > 40
  ) {
    throw new InvalidRequestError('maxConcurrency must be an integer from 1 to 40.');
  }
  const maxScanBytes = r.maxScanBytes ?? null;
  if (maxScanBytes !== null && (!Number.isSafeInteger(maxScanBytes) || (maxScanBytes as number) < 1)) {
    throw new InvalidRequestError('maxScanBytes must be a positive whole number of bytes.');
  }
  const huntIds = r.huntIds === undefined ? null : stringList(r.huntIds, 'huntIds');
  for (const id of huntIds ?? []) {
    if (!HUNT_ID.test(id)) throw new InvalidRequestError(`'${id}' is not a hunt id.`);
  }
  const window = parseTimeWindow(optionalString(r, 'from'), optionalString(r, 'to'));
  const openedAt = now.toISOString();
  return {
    caseId,
    window,
    closedWindow: closeTimeWindow(window, openedAt, engine === 'athena' ? 'lookback' : 'unbounded'),
    engine,
    scope: parseCaseScope(r),
    openedAt,
    maxConcurrency: maxConcurrency as number,
    ...(maxScanBytes === null ? {} : { maxScanBytes: maxScanBytes as number }),
    huntIds,
    iocs: parseIocs(r.iocs),
    requestedBy: optionalString(r, 'requestedBy') ?? null,
    reason: optionalString(r, 'reason') ?? null,
  };
}

function optionalString(r: Record<string, unknown>, key: string): string | undefined {
  const value = r[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidRequestError(`'${key}' must be a string.`);
  return value;
}

function stringList(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new InvalidRequestError(`'${key}' must be a list of strings.`);
  }
  return value;
}

/** Sigma rules sent with a request, each `{ file, text }`; the file name becomes the stored name. */
export function parseSigmaRules(raw: unknown): { file: string; text: string }[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new InvalidRequestError("'sigmaRules' must be a list of { file, text }.");
  return raw.map((rule, i) => {
    const r = (rule ?? {}) as Record<string, unknown>;
    if (
      typeof r.file !== 'string' ||
      !/^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/.test(r.file) ||
      r.file.includes('..')
    ) {
      throw new InvalidRequestError(`Sigma rule ${i + 1} needs a plain relative file name.`);
    }
    if (typeof r.text !== 'string' || r.text.length > 200_000) {
      throw new InvalidRequestError(`Sigma rule ${r.file} needs its YAML text (at most 200 kB).`);
    }
    return { file: r.file, text: r.text };
  });
}

/**
 * Everything a request carries, checked at once: the API refuses a bad request before anything
 * starts, and OpenCase applies the same checks to whatever reaches the workflow.
 */
export function validateInvestigationRequest(request: unknown, engine: EngineName, now: Date) {
  const context = openCaseContext(request, engine, now);
  const r = request as { allowlist?: unknown; sigmaRules?: unknown; rerun?: unknown; schedule?: unknown };
  const rerun = parseRerunRequest(r.rerun);
  const schedule = parseCaseSchedule(r.schedule);
  if (rerun && schedule) {
    throw new InvalidRequestError(
      "'schedule' belongs to the request that opens a case, not to one of its re-runs.",
    );
  }
  return {
    context,
    rerun,
    schedule,
    allowlist: parseAllowlist(r.allowlist, 'the request'),
    sigmaRules: parseSigmaRules(r.sigmaRules),
  };
}
