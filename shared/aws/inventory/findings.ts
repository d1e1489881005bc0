import type { SkippedInput, SourceLocation } from '../../domain/inventory.js';
import type { LogSourceId } from '../../domain/log-sources.js';
import type { AccountScope } from './account-scope.js';

/** A CloudWatch Logs group a service writes to, exported when it still holds the case window. */
export interface LogGroupCandidate {
  logGroup: string;
  region: string;
  /** The source its events are, when the service writing them says so. */
  source: LogSourceId | null;
  /** Who writes there, for the notes: `flow log fl-0123 (vpc-0abc)`. */
  writer: string;
}

/** What a source does not cover; `region` ties it to the locations of that region. */
export interface Gap {
  source: LogSourceId;
  region?: string;
  reason: string;
  /** Set when the source's logs existed but retention dropped all of the window. */
  status?: 'out-of-retention';
}

/** What one service's inventory found in one account. */
export interface Findings {
  sources: SourceLocation[];
  skipped: SkippedInput[];
  notes: string[];
  logGroups: LogGroupCandidate[];
  gaps: Gap[];
}

/** One service's part of the inventory, run once per account. */
export interface InventoryService {
  id: InventoriedService;
  /** The IAM actions of the calls it makes, exactly: the inventory role is granted these and no more. */
  iamActions: readonly string[];
  run(scope: AccountScope, found: Findings): Promise<void>;
}

export const inventoriedServices = [
  'flow-logs',
  'resolver-query-logs',
  'bucket-logging',
  'load-balancers',
  'cloudfront',
  'waf',
  'eks',
  'guardduty',
  'security-hub',
  'config',
  'cloudtrail-lake',
  'log-deliveries',
  'log-subscriptions',
] as const;
export type InventoriedService = (typeof inventoriedServices)[number];

export function emptyFindings(): Findings {
  return { sources: [], skipped: [], notes: [], logGroups: [], gaps: [] };
}

export function mergeFindings(target: Findings, part: Findings): void {
  target.sources.push(...part.sources);
  target.skipped.push(...part.skipped);
  target.notes.push(...part.notes);
  target.logGroups.push(...part.logGroups);
  target.gaps.push(...part.gaps);
}

/**
 * Runs `work` for every item (a region, mostly) at once, each with findings of its own, merged in
 * the items' order so that the inventory reads the same from one run to the next.
 */
export async function inParallel<T>(
  items: readonly T[],
  found: Findings,
  work: (item: T, part: Findings) => Promise<void>,
): Promise<void> {
  const parts = await Promise.all(
    items.map(async (item) => {
      const part = emptyFindings();
      await work(item, part);
      return part;
    }),
  );
  for (const part of parts) mergeFindings(found, part);
}

/** `a, b, c` or `a, b, ... and 12 more`: lists in notes and details stay readable. */
export function listed(items: readonly string[], cap = 10): string {
  if (items.length <= cap) return items.join(', ');
  return `${items.slice(0, cap).join(', ')}, ... and ${items.length - cap} more`;
}

/** `1 VPC` or `3 VPCs`. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export { mapConcurrently } from '../../util/async.js';
