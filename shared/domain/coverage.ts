import type { Inventory } from './inventory.js';
import { type LogSourceId, logSourceCatalog, logSourceIds } from './log-sources.js';

export const coverageStatuses = ['present', 'partial', 'missing', 'out-of-retention'] as const;
export type CoverageStatus = (typeof coverageStatuses)[number];

/** One log source for the case: whether it can be investigated, and what is lost where it cannot. */
export interface CoverageEntry {
  source: LogSourceId;
  title: string;
  status: CoverageStatus;
  /** Where it was found, or what makes it partial. */
  detail: string;
  /** One sentence a responder reads: what cannot be investigated. Null when nothing is lost. */
  consequence: string | null;
}

/**
 * Coverage from what the inventory found. A source an adapter marks partial (`details.coverage`, or
 * a gap of the inventory's) keeps the adapter's reason; a source with no location at all is missing,
 * with the catalog's consequence and the gaps that say why; a source found only past its retention
 * is out of retention.
 */
export function assessCoverage(inventory: Inventory): CoverageEntry[] {
  return logSourceIds.map((source) => {
    const { title, whenMissing } = logSourceCatalog[source];
    const locations = inventory.sources.filter((s) => s.source === source);
    const exported = (inventory.exports ?? []).filter(
      (e) => (e.source ?? logGroupSourceByName(e.logGroup)) === source,
    );
    const gaps = (inventory.gaps ?? []).filter((g) => g.source === source).map((g) => g.reason);
    if (locations.length === 0 && exported.length === 0) {
      const expired = (inventory.gaps ?? []).filter(
        (g) => g.source === source && g.status === 'out-of-retention',
      );
      if (expired.length > 0) {
        const detail = unique(expired.map((g) => g.reason)).join('; ');
        return { source, title, status: 'out-of-retention', detail, consequence: whenMissing };
      }
      const detail = gaps.length > 0 ? unique(gaps).join('; ') : 'not found';
      return { source, title, status: 'missing', detail, consequence: whenMissing };
    }
    const partial = unique([
      ...locations
        .map((l) => l.details?.coverage)
        .filter((c): c is string => typeof c === 'string' && c !== ''),
      ...gaps,
    ]);
    const lost = exported
      .filter((e) => e.lostBefore)
      .map((e) => `${e.logGroup}: events before ${e.lostBefore} expired`);
    const where = [
      ...locations.map((l) => l.location),
      ...exported.map((e) => `CloudWatch Logs ${e.logGroup}`),
    ];
    if (partial.length > 0 || lost.length > 0) {
      return {
        source,
        title,
        status: 'partial',
        detail: [...partial, ...lost].join('; '),
        consequence: `Only part of the window or the estate is covered: ${[...partial, ...lost].join('; ')}.`,
      };
    }
    return { source, title, status: 'present', detail: where.join(', '), consequence: null };
  });
}

/**
 * Coverage once the tables are built: a source the inventory could not name before its logs were
 * exported and read (a CloudWatch dump's EKS audit or Lambda logs) is present after all.
 */
export function completeCoverage(
  coverage: CoverageEntry[],
  tables: { source: LogSourceId; recordCount?: number; locations: string[] }[],
): CoverageEntry[] {
  return coverage.map((entry) => {
    const table = tables.find((t) => t.source === entry.source);
    if (entry.status !== 'missing' || !table || table.recordCount === 0) return entry;
    return {
      ...entry,
      status: 'present',
      detail: `read from ${table.locations.join(', ')}`,
      consequence: null,
    };
  });
}

/** CloudWatch-only groups whose source is known from AWS's naming, before their content is read. */
export function logGroupSourceByName(logGroup: string): LogSourceId | null {
  if (/^\/aws\/eks\/[^/]+\/cluster$/.test(logGroup)) return 'eksaudit';
  if (/^\/aws\/lambda\/./.test(logGroup)) return 'lambda';
  return null;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
