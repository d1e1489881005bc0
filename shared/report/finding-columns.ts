import { behaviourHuntColumns, cloudtrailEventHuntColumns } from '../domain/hunt-definition.js';
import type { HuntResultRecord } from '../domain/hunt-result.js';

/** Columns that say whether a call worked: always shown when a hunt returns one. */
const outcomeColumns = ['outcome', 'error_code'];

/**
 * A finding's columns in the order a table shows them: the shared leading ones, then the columns
 * the hunt names as deciding (`reportColumns`), then its outcome, then the rest. `extra` bounds
 * the rest (Markdown tables stay readable); the deciding and outcome columns are never dropped.
 */
export function findingColumns(r: HuntResultRecord, extra = Number.POSITIVE_INFINITY): string[] {
  // CloudTrail's leading columns hold every event hunt's, then its event id and outcome.
  const preferred: readonly string[] =
    r.kind === 'behaviour' ? behaviourHuntColumns : cloudtrailEventHuntColumns;
  const leading = preferred.filter((c) => r.columns.includes(c));
  const deciding = [...(r.reportColumns ?? []), ...outcomeColumns].filter(
    (c, i, all) => r.columns.includes(c) && !leading.includes(c) && all.indexOf(c) === i,
  );
  const shown = new Set([...leading, ...deciding]);
  const rest = r.columns.filter((c) => !shown.has(c)).slice(0, extra);
  return [...leading, ...deciding, ...rest];
}
