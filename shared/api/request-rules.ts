import { validateInvestigationRequest } from '../domain/case.js';
import { parseCaseScope } from '../domain/case-scope.js';
import { InvalidRequestError } from '../errors.js';

/** A request the API refuses, naming the field at fault (OpenAPI `Error.field`). */
export class FieldError extends InvalidRequestError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FieldError';
  }
}

/** Step Functions refuses an execution input over 256 KiB; a body that large cannot become a case. */
export const MAX_BODY_BYTES = 262_144;
/** A window longer than this is almost always a typo (a year off); name the dates explicitly for more. */
export const MAX_WINDOW_DAYS = 400;
/** Clocks differ; a window may end a little after the API's now. */
const FUTURE_TOLERANCE_MS = 3_600_000;

const FIELDS = new Set([
  'caseId',
  'from',
  'to',
  'accounts',
  'regions',
  'sources',
  'hunts',
  'huntIds',
  'maxConcurrency',
  'maxScanBytes',
  'iocs',
  'allowlist',
  'sigmaRules',
  'requestedBy',
  'reason',
  'schedule',
]);

export interface RequestRules {
  now: Date;
  /** The hunt library's ids; a request naming another hunt is refused with the names. */
  knownHuntIds: ReadonlySet<string>;
}

/**
 * The API's checks on top of the case's own (`validateInvestigationRequest`): unknown fields, scope
 * lists, windows that are reversed, in the future or implausibly long, and hunts that do not exist.
 * Returns the request as the workflow takes it (`hunts` becomes `huntIds`).
 */
export function checkInvestigationRequest(
  body: Record<string, unknown>,
  rules: RequestRules,
): Record<string, unknown> {
  for (const field of Object.keys(body)) {
    if (!FIELDS.has(field)) {
      throw new FieldError(field, `Unknown field '${field}'; the request takes ${[...FIELDS].join(', ')}.`);
    }
  }
  if (body.hunts !== undefined && body.huntIds !== undefined) {
    throw new FieldError('hunts', "Give 'hunts' or 'huntIds', not both.");
  }
  const { hunts, ...rest } = body;
  const request: Record<string, unknown> = hunts === undefined ? rest : { ...rest, huntIds: hunts };
  // The case's own scope rules, one list at a time so the refusal names its field.
  for (const field of ['accounts', 'regions', 'sources'] as const) {
    try {
      parseCaseScope({ [field]: request[field] });
    } catch (error) {
      if (error instanceof InvalidRequestError) throw new FieldError(field, error.message);
      throw error;
    }
  }
  for (const [field, max] of [
    ['reason', 2000],
    ['requestedBy', 200],
  ] as const) {
    const value = request[field];
    if (value !== undefined && (typeof value !== 'string' || value.length > max)) {
      throw new FieldError(field, `'${field}' must be text of at most ${max} characters.`);
    }
  }
  const huntIds = stringList(request, 'huntIds', /^[A-Za-z0-9:._-]{1,200}$/, 'a hunt id');
  const unknown = huntIds.filter((id) => !rules.knownHuntIds.has(id));
  if (unknown.length > 0) {
    throw new FieldError(hunts === undefined ? 'huntIds' : 'hunts', `Unknown hunts: ${unknown.join(', ')}.`);
  }
  let context: ReturnType<typeof validateInvestigationRequest>['context'];
  try {
    context = validateInvestigationRequest(request, 'athena', rules.now).context;
  } catch (error) {
    if (error instanceof InvalidRequestError)
      throw new FieldError(fieldNamedIn(error.message), error.message);
    throw error;
  }
  checkWindow(context.window, rules.now);
  return request;
}

function checkWindow(window: { from: string | null; to: string | null }, now: Date): void {
  const latest = now.getTime() + FUTURE_TOLERANCE_MS;
  if (window.from && Date.parse(window.from) > latest) {
    throw new FieldError('from', `The window starts in the future (${window.from}).`);
  }
  if (window.to && Date.parse(window.to) > latest + 86_400_000) {
    throw new FieldError(
      'to',
      `The window ends in the future (${window.to}); leave 'to' out for "until now".`,
    );
  }
  const from = window.from ? Date.parse(window.from) : null;
  const to = window.to ? Date.parse(window.to) : now.getTime();
  if (from !== null && (to - from) / 86_400_000 > MAX_WINDOW_DAYS) {
    throw new FieldError(
      'from',
      `The window spans ${Math.round((to - from) / 86_400_000)} days; at most ${MAX_WINDOW_DAYS} in one case.`,
    );
  }
}

function stringList(request: Record<string, unknown>, field: string, shape: RegExp, what: string): string[] {
  const value = request[field];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new FieldError(field, `'${field}' must be a list.`);
  for (const item of value) {
    if (typeof item !== 'string' || !shape.test(item)) {
      throw new FieldError(field, `'${String(item).slice(0, 80)}' in '${field}' is not ${what}.`);
    }
  }
  return value as string[];
}

/** The domain's messages quote the field they refuse ('from', 'iocs.ips', caseId ...); keep it for `field`. */
function fieldNamedIn(message: string): string {
  const quoted = /'((?:iocs\.|schedule\.)?[A-Za-z]+)'/.exec(message)?.[1];
  if (quoted?.startsWith('schedule')) return 'schedule';
  if (quoted && (FIELDS.has(quoted) || quoted.startsWith('iocs.'))) return quoted;
  for (const field of FIELDS) if (message.startsWith(field)) return field;
  for (const field of FIELDS) if (message.includes(` ${field} `)) return field;
  if (/IOC|indicator|valid \w+ value/.test(message)) return 'iocs';
  if (/window/.test(message)) return 'from';
  if (/Sigma/.test(message)) return 'sigmaRules';
  return 'body';
}
