import { InvalidRequestError } from '../errors.js';
import { logGroupSourceByName } from './coverage.js';
import type { Inventory, SkippedInput, SourceLocation } from './inventory.js';
import type { LogGroupExport } from './log-exports.js';
import { type LogSourceId, logSourceIds } from './log-sources.js';

/**
 * What a case looks at: some accounts, regions and log sources of the estate, or (null) all of
 * them. Every trigger's request is narrowed here, once, and every step reads the same scope.
 */
export interface CaseScope {
  accounts: string[] | null;
  regions: string[] | null;
  sources: LogSourceId[] | null;
}

export const WHOLE_ESTATE: CaseScope = { accounts: null, regions: null, sources: null };

const ACCOUNT_ID = /^\d{12}$/;
/** Region names as AWS writes them (`eu-west-1`, `us-gov-west-1`, `ap-southeast-5`). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const SOURCES: ReadonlySet<string> = new Set(logSourceIds);
/**
 * The scope rides in every step's state (256 KiB at most): an organisation's worth of accounts, more
 * regions than AWS has, each source once (as api/openapi.yaml documents).
 */
const MAX_SCOPE_ITEMS = { accounts: 1000, regions: 50, sources: logSourceIds.length } as const;

/**
 * The scope of a request: `accounts`, `regions`, `sources`, each a list or absent (everything).
 * An empty list is refused rather than read as "nothing" or "everything": either would surprise.
 */
export function parseCaseScope(request: Record<string, unknown>): CaseScope {
  return {
    accounts: scopeList(request, 'accounts', (v) => ACCOUNT_ID.test(v), 'a 12-digit account id'),
    regions: scopeList(request, 'regions', (v) => REGION.test(v), 'a region name such as eu-west-1'),
    sources: scopeList(
      request,
      'sources',
      (v) => SOURCES.has(v),
      `a known source (${logSourceIds.join(', ')})`,
    ) as LogSourceId[] | null,
  };
}

function scopeList(
  request: Record<string, unknown>,
  key: 'accounts' | 'regions' | 'sources',
  valid: (value: string) => boolean,
  what: string,
): string[] | null {
  const value = request[key];
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw new InvalidRequestError(`'${key}' must be a list of strings.`);
  if (value.length > MAX_SCOPE_ITEMS[key]) {
    throw new InvalidRequestError(
      `'${key}' names ${value.length} items; at most ${MAX_SCOPE_ITEMS[key]}: leave it out to investigate every one.`,
    );
  }
  if (value.length === 0) {
    throw new InvalidRequestError(
      `'${key}' is an empty list: leave it out to investigate every one, or name at least one.`,
    );
  }
  for (const item of value) {
    if (typeof item !== 'string' || !valid(item)) {
      throw new InvalidRequestError(`'${String(item).slice(0, 80)}' in '${key}' is not ${what}.`);
    }
  }
  return [...new Set(value as string[])].sort();
}

export const isWholeEstate = (scope: CaseScope | undefined): boolean =>
  !scope || (scope.accounts === null && scope.regions === null && scope.sources === null);

/** Whether a value is inside one dimension of the scope (a null dimension holds everything). */
export const within = (asked: readonly string[] | null, value: string): boolean =>
  asked === null || asked.includes(value);

/** The scope in one line, for the report and the notes: `accounts 111122223333; regions eu-west-1`. */
export function describeScope(scope: CaseScope | undefined): string {
  if (!scope || isWholeEstate(scope)) return 'every account, region and log source found';
  const parts: string[] = [];
  if (scope.accounts) parts.push(`accounts ${scope.accounts.join(', ')}`);
  if (scope.regions) parts.push(`regions ${scope.regions.join(', ')}`);
  if (scope.sources) parts.push(`sources ${scope.sources.join(', ')}`);
  return parts.join('; ');
}

/**
 * The inventory with only what the scope asks for. A location of another source, or one whose
 * accounts or regions are all outside the scope, becomes a skipped input with the reason; a location
 * holding several accounts or regions keeps only the asked ones (its Athena projection then lists
 * only those). Asked accounts and regions no location names are noted, never silently absent.
 */
export function narrowInventory(inventory: Inventory, scope: CaseScope | undefined): Inventory {
  if (!scope || isWholeEstate(scope)) return inventory;
  const sources: SourceLocation[] = [];
  const skipped: SkippedInput[] = [];
  const out = (input: string, why: string) =>
    skipped.push({ input, reason: `outside the case's scope: ${why}`, stage: 'inventory' });
  for (const location of inventory.sources) {
    const why = locationOutside(location, scope);
    if (why) out(`${location.source} logs at ${location.location}`, why);
    else sources.push(narrowLocation(location, scope));
  }
  const exports: LogGroupExport[] = [];
  for (const item of inventory.exports ?? []) {
    const why = exportOutside(item, scope);
    if (why) out(`log group ${item.logGroup}`, why);
    else exports.push(item);
  }
  return {
    ...inventory,
    sources,
    skipped: [...inventory.skipped, ...skipped],
    // Every account's inventory notes the same asked region it cannot look at: once is enough.
    notes: [
      ...new Set([...inventory.notes, ...unseenNotes(scope, sources, exports), ...globalEventsNote(scope)]),
    ],
    ...(inventory.exports ? { exports } : {}),
    gaps: [
      ...(inventory.gaps ?? []).filter((g) => within(scope.sources, g.source)),
      ...logSourceIds
        .filter((source) => !within(scope.sources, source))
        .map((source) => ({
          source,
          reason: `not asked for (the case's sources: ${scope.sources?.join(', ')})`,
        })),
    ],
  };
}

/**
 * CloudTrail records IAM, STS and CloudFront, wherever they were called from, in us-east-1: a scope
 * of other regions leaves out who created users, keys and roles. Said, not silently lost.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-and-update-a-trail-by-using-the-aws-cli-update-trail.html
 */
export const GLOBAL_EVENTS_REGION = 'us-east-1';

export function globalEventsNote(scope: CaseScope): string[] {
  if (!scope.regions || scope.regions.includes(GLOBAL_EVENTS_REGION) || !within(scope.sources, 'cloudtrail'))
    return [];
  return [
    `CloudTrail records IAM, STS and CloudFront calls in ${GLOBAL_EVENTS_REGION}, which is not among the asked regions ` +
      `(${scope.regions.join(', ')}): users, access keys, roles and sign-ins are not in this case. ` +
      `Add ${GLOBAL_EVENTS_REGION} to the regions to see them.`,
  ];
}

function locationOutside(location: SourceLocation, scope: CaseScope): string | null {
  if (!within(scope.sources, location.source)) {
    return `${location.source} is not among the sources asked for (${scope.sources?.join(', ')})`;
  }
  for (const [dimension, held] of [
    ['accounts', location.accounts],
    ['regions', location.regions],
  ] as const) {
    const asked = scope[dimension];
    if (!asked || !held || held.length === 0) continue;
    if (!held.some((value) => asked.includes(value))) {
      return `it holds ${dimension} ${held.join(', ')}, none of those asked for (${asked.join(', ')})`;
    }
  }
  return null;
}

function narrowLocation(location: SourceLocation, scope: CaseScope): SourceLocation {
  const narrowed = { ...location };
  if (scope.accounts && location.accounts && location.accounts.length > 0)
    narrowed.accounts = location.accounts.filter((a) => scope.accounts?.includes(a));
  if (scope.regions && location.regions && location.regions.length > 0)
    narrowed.regions = location.regions.filter((r) => scope.regions?.includes(r));
  const left = [
    ...(location.accounts ?? []).filter((a) => !narrowed.accounts?.includes(a)),
    ...(location.regions ?? []).filter((r) => !narrowed.regions?.includes(r)),
  ];
  if (left.length > 0) {
    // A listed file is read whole (its other records included); a delivery prefix is read only under
    // the asked accounts and regions.
    const outOfScope = location.files
      ? `files that also name ${left.join(', ')} are read whole`
      : `not read for this case: ${left.join(', ')}`;
    narrowed.details = { ...location.details, outOfScope };
  }
  return narrowed;
}

function exportOutside(item: LogGroupExport, scope: CaseScope): string | null {
  const source = item.source ?? logGroupSourceByName(item.logGroup);
  if (source && !within(scope.sources, source))
    return `${source} is not among the sources asked for (${scope.sources?.join(', ')})`;
  if (item.account && !within(scope.accounts, item.account))
    return `account ${item.account} is not among those asked for (${scope.accounts?.join(', ')})`;
  if (item.region && !within(scope.regions, item.region))
    return `region ${item.region} is not among those asked for (${scope.regions?.join(', ')})`;
  return null;
}

/**
 * Asked accounts and regions that no kept location or export names. Only locations that name their
 * accounts and regions (delivery layouts under `AWSLogs/`, exports) can vouch for one, so the note
 * says what it is based on.
 */
function unseenNotes(scope: CaseScope, sources: SourceLocation[], exports: LogGroupExport[]): string[] {
  const notes: string[] = [];
  const sourcesAsked = scope.sources ?? [];
  for (const source of sourcesAsked) {
    if (!sources.some((s) => s.source === source) && !exports.some((e) => e.source === source)) {
      notes.push(`No ${source} logs were found in the case's scope (${describeScope(scope)}).`);
    }
  }
  for (const dimension of ['accounts', 'regions'] as const) {
    const named = new Set([
      ...sources.flatMap((s) => s[dimension] ?? []),
      ...exports.map((e) => (dimension === 'accounts' ? e.account : e.region)).filter((v) => v !== null),
    ]);
    for (const value of scope[dimension] ?? []) {
      if (!named.has(value)) {
        notes.push(
          `${dimension === 'accounts' ? 'Account' : 'Region'} ${value} was asked for, but no log found names it ` +
            '(CloudTrail and other deliveries under AWSLogs/ name their accounts and regions): ' +
            `check the ${dimension === 'accounts' ? 'id' : 'name'}, and whether its logs are elsewhere.`,
        );
      }
    }
  }
  return notes;
}
