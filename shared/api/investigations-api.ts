import { createHash } from 'node:crypto';
import { CASE_ID } from '../domain/case.js';
import { latestRunOf } from '../domain/case-files/case-record.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { fromCsv } from '../domain/csv.js';
import { EvidenceStoreError } from '../errors.js';
import { type EvidenceStore, readCaseFileIfPresent } from '../ports/evidence-store.js';
import { checkInvestigationRequest, FieldError, MAX_BODY_BYTES } from './request-rules.js';
import type { StartOutcome } from './start-outcome.js';

/** An HTTP request as any front end sees it (API Gateway's event, node:http), already routed to us. */
export interface ApiRequest {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  body: string | null;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface InvestigationsApiDeps {
  /** Starts (or recognises) the case's workflow: Step Functions in AWS, the embedded runner locally. */
  start(request: Record<string, unknown>): Promise<StartOutcome>;
  /** The case folders, read only. */
  store: EvidenceStore;
  knownHuntIds(): Promise<ReadonlySet<string>>;
  now(): Date;
  /** Whether a case was started but has not written case.json yet (an execution still queued or opening). */
  isStarting(caseId: string): Promise<boolean>;
  /**
   * A short-lived URL to download one case file (`?as=link`): a presigned S3 GET in AWS, a link the
   * local server serves itself in `casefile serve`.
   */
  downloadLink(key: string, request: DownloadLinkRequest): Promise<DownloadLink>;
}

export interface DownloadLinkRequest {
  expiresInSeconds: number;
  /** The name the browser saves it under, and its media type. */
  fileName: string;
  contentType: string;
}

export interface DownloadLink {
  url: string;
  /** When the link stops working: the asked expiry, or earlier when the signing credentials end first. */
  expiresAt: string;
}

/** A link lives 15 minutes unless asked otherwise, an hour at most: long enough to download, not to forward. */
export const DEFAULT_LINK_SECONDS = 900;
export const MAX_LINK_SECONDS = 3600;

const HUNT_ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$/;
const MAX_PAGE = 1000;

/** The routes of `api/openapi.yaml`, over ports: the same code answers in Lambda and in `casefile serve`. */
export async function handleApiRequest(
  request: ApiRequest,
  deps: InvestigationsApiDeps,
): Promise<ApiResponse> {
  try {
    const parts = request.path.replace(/\/+$/, '').split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'investigations') return notFound(`No route ${request.method} ${request.path}.`);
    if (parts.length === 1 && request.method === 'POST') return await startInvestigation(request, deps);
    const caseId = parts[1];
    if (request.method !== 'GET' || caseId === undefined) {
      return notFound(`No route ${request.method} ${request.path}.`);
    }
    if (!CASE_ID.test(caseId)) throw new FieldError('caseId', `'${caseId.slice(0, 80)}' is not a case id.`);
    if (parts.length === 2) return await caseStatus(caseId, deps);
    if (parts.length === 3 && parts[2] === 'report') return await report(caseId, request, deps);
    if (parts.length === 4 && parts[2] === 'hunts')
      return await huntPage(caseId, parts[3] ?? '', request, deps);
    return notFound(`No route ${request.method} ${request.path}.`);
  } catch (error) {
    if (error instanceof FieldError)
      return json(400, { error: 'InvalidRequest', message: error.message, field: error.field });
    if (error instanceof EvidenceStoreError) return notFound('No such case file.');
    throw error;
  }
}

async function startInvestigation(request: ApiRequest, deps: InvestigationsApiDeps): Promise<ApiResponse> {
  const body = request.body ?? '';
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
    return json(413, {
      error: 'RequestTooLarge',
      message: `The body is over ${MAX_BODY_BYTES} bytes, the most a workflow input may be; send Sigma rules in smaller sets.`,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body === '' ? 'null' : body);
  } catch (error) {
    throw new FieldError('body', `The body is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FieldError('body', 'The body must be a JSON object ({} for the defaults).');
  }
  const checked = checkInvestigationRequest(parsed as Record<string, unknown>, {
    now: deps.now(),
    knownHuntIds: await deps.knownHuntIds(),
  });
  const key = header(request, 'idempotency-key');
  if (key !== undefined && (key.length === 0 || key.length > 200)) {
    throw new FieldError('Idempotency-Key', 'The Idempotency-Key header must be 1 to 200 characters.');
  }
  const outcome = await deps.start(
    key !== undefined && checked.caseId === undefined ? { ...checked, caseId: caseIdForKey(key) } : checked,
  );
  switch (outcome.kind) {
    case 'invalid':
      throw new FieldError('body', outcome.message);
    case 'busy':
      return json(
        503,
        {
          error: 'ServiceBusy',
          message: `The workflow service is busy (${outcome.reason}); try again shortly.`,
        },
        { 'retry-after': '5' },
      );
    case 'conflict':
      return json(409, {
        error: 'CaseIdInUse',
        message: `Case ${outcome.caseId} was already started with another request; choose another caseId or Idempotency-Key.`,
      });
    default: {
      const { kind, ...started } = outcome;
      return json(kind === 'started' ? 202 : 200, {
        ...started,
        links: links(outcome.caseId, outcome.caseFolder),
      });
    }
  }
}

/** The same key always names the same case, so a retried POST finds the case its first try opened. */
export function caseIdForKey(key: string): string {
  return `case-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

async function caseStatus(caseId: string, deps: InvestigationsApiDeps): Promise<ApiResponse> {
  const caseFile = await readCaseFileIfPresent(deps.store, caseFiles(caseId).caseRecord);
  if (caseFile === null) {
    if (!(await deps.isStarting(caseId))) return notFound(`No case ${caseId}.`);
    return json(200, {
      caseId,
      status: 'RUNNING',
      step: 'OpenCase',
      hunts: { done: 0, total: 0 },
      findingsBySeverity: { info: 0, low: 0, medium: 0, high: 0, critical: 0 },
      error: null,
      links: links(caseId),
    });
  }
  // A case run again is followed in its latest run's folder (runs/<n>/).
  const latestRun = latestRunOf(caseFile);
  const layout = caseFolderLayout(caseId, latestRun);
  const files = new Set((await deps.store.list(layout.root)).map((o) => o.key));
  const tables = files.has(layout.tables)
    ? await readCaseFileIfPresent(deps.store, caseFiles(caseId, latestRun).tables)
    : null;
  const huntsDone = [...files].filter((k) => k.startsWith(layout.huntsFolder) && k.endsWith('.json')).length;
  return json(200, {
    caseId,
    status: caseFile.status,
    step: stepReached(files, layout),
    hunts: { done: huntsDone, total: tables?.huntsToRun?.length ?? 0 },
    window: caseFile.window ?? { from: null, to: null },
    findingsBySeverity: caseFile.findingsBySeverity ?? { info: 0, low: 0, medium: 0, high: 0, critical: 0 },
    error: caseFile.failure ?? null,
    ...(caseFile.runs
      ? {
          runs: caseFile.runs.map(({ run, trigger, window, status, newHits }) => ({
            run,
            trigger,
            window,
            status,
            ...(newHits === undefined ? {} : { newHits }),
          })),
        }
      : {}),
    links: links(caseId, caseFile.caseFolder),
  });
}

/** The last step whose output the case folder holds: what a responder polling a running case wants. */
function stepReached(files: Set<string>, layout: ReturnType<typeof caseFolderLayout>): string {
  if (files.has(layout.manifest)) return 'WriteManifest';
  if (files.has(layout.summary)) return 'BuildReport';
  if ([...files].some((k) => k.startsWith(layout.huntsFolder))) return 'RunHunts';
  if (files.has(layout.tables)) return 'CreateTables';
  if (files.has(layout.inventory)) return 'Inventory';
  return 'OpenCase';
}

async function report(
  caseId: string,
  request: ApiRequest,
  deps: InvestigationsApiDeps,
): Promise<ApiResponse> {
  // The latest run's report by default, which opens with what that run found new.
  const run = await runAsked(caseId, request, deps);
  if (run === null) return notFound(`No case ${caseId}.`);
  const layout = caseFolderLayout(caseId, run);
  const format = choice(request.query.format, 'format', ['md', 'html'] as const, 'md');
  const key = format === 'html' ? layout.reportHtml : layout.report;
  const contentType = format === 'html' ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8';
  const asLink = wantsLink(request);
  if (!(await deps.store.exists(key))) {
    return notFound(`Case ${caseId} has no report (yet): GET /investigations/${caseId} says where it is.`);
  }
  if (asLink) return linkTo(key, `${caseId}-report.${format}`, contentType, asLink, deps);
  const text = new TextDecoder().decode(await deps.store.get(key));
  return { statusCode: 200, headers: { 'content-type': contentType }, body: text };
}

/** `?as=link[&expiresIn=<seconds>]`: the seconds the link should live, or null for the body itself. */
function wantsLink(request: ApiRequest): number | null {
  const as = choice(request.query.as, 'as', ['body', 'link'] as const, 'body');
  if (as === 'body') {
    if (request.query.expiresIn !== undefined)
      throw new FieldError('expiresIn', "'expiresIn' goes with as=link.");
    return null;
  }
  return integer(request.query.expiresIn, 'expiresIn', DEFAULT_LINK_SECONDS, 60, MAX_LINK_SECONDS);
}

async function linkTo(
  key: string,
  fileName: string,
  contentType: string,
  expiresInSeconds: number,
  deps: InvestigationsApiDeps,
): Promise<ApiResponse> {
  // A plain name: it goes into a Content-Disposition header.
  const saveAs = fileName.replace(/[^A-Za-z0-9._-]/g, '_');
  const link = await deps.downloadLink(key, { expiresInSeconds, fileName: saveAs, contentType });
  return json(200, { url: link.url, expiresAt: link.expiresAt, fileName: saveAs, contentType });
}

async function huntPage(
  caseId: string,
  huntId: string,
  request: ApiRequest,
  deps: InvestigationsApiDeps,
): Promise<ApiResponse> {
  if (!HUNT_ID.test(huntId)) throw new FieldError('huntId', `'${huntId.slice(0, 80)}' is not a hunt id.`);
  const offset = integer(request.query.offset, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = integer(request.query.limit, 'limit', 100, 1, MAX_PAGE);
  const asLink = wantsLink(request);
  const run = await runAsked(caseId, request, deps);
  if (run === null) return notFound(`No case ${caseId}.`);
  const layout = caseFolderLayout(caseId, run);
  const hunt = await readCaseFileIfPresent(deps.store, caseFiles(caseId, run).huntResult(huntId));
  if (hunt === null) return notFound(`Run ${run} of case ${caseId} has no result for hunt ${huntId}.`);
  if (asLink) {
    // The link is to every row (the CSV), not to a page of them.
    if (!(await deps.store.exists(layout.huntRows(huntId))))
      return notFound(`Hunt ${huntId} of case ${caseId} has no rows file (its record says why).`);
    return linkTo(
      layout.huntRows(huntId),
      `${caseId}-${huntId}.csv`,
      'text/csv; charset=utf-8',
      asLink,
      deps,
    );
  }
  const csv = (await deps.store.exists(layout.huntRows(huntId)))
    ? fromCsv(new TextDecoder().decode(await deps.store.get(layout.huntRows(huntId))))
    : { columns: [], rows: [] };
  const rows = csv.rows.slice(offset, offset + limit);
  const nextOffset = offset + rows.length;
  return json(200, {
    hunt,
    run,
    columns: csv.columns,
    rows,
    offset,
    limit,
    rowCount: csv.rows.length,
    next:
      nextOffset < csv.rows.length
        ? `/investigations/${caseId}/hunts/${huntId}?run=${run}&offset=${nextOffset}&limit=${limit}`
        : null,
  });
}

function choice<T extends string>(
  raw: string | undefined,
  field: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw))
    throw new FieldError(field, `'${field}' must be one of ${allowed.join(', ')}.`);
  return raw as T;
}

/**
 * `?run=<n>`: which run of the case to read (each run's results cover its own window); the latest
 * run by default, so a scheduled case answers with what it found last.
 */
async function runAsked(
  caseId: string,
  request: ApiRequest,
  deps: InvestigationsApiDeps,
): Promise<number | null> {
  const caseFile = await readCaseFileIfPresent(deps.store, caseFiles(caseId).caseRecord);
  if (caseFile === null) return null;
  const latest = latestRunOf(caseFile);
  return integer(request.query.run, 'run', latest, 1, latest);
}

function integer(raw: string | undefined, field: string, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new FieldError(field, `'${field}' must be an integer from ${min} to ${max}.`);
  }
  return value;
}

function links(caseId: string, caseFolder?: string) {
  return {
    self: `/investigations/${caseId}`,
    report: `/investigations/${caseId}/report`,
    ...(caseFolder ? { caseFolder } : {}),
  };
}

function header(request: ApiRequest, name: string): string | undefined {
  const found = Object.entries(request.headers).find(([k]) => k.toLowerCase() === name);
  return found?.[1];
}

function notFound(message: string): ApiResponse {
  return json(404, { error: 'NotFound', message });
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}
