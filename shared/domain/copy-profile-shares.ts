/**
 * A copy's bytes per gzip byte of the logs, per event name and column, from shares: each name's share
 * of the copy's bytes (`events`) times each column's share of a name's bytes (`columns`), the same
 * spread for every name (the measured model, shared/domain/measured-copy-profile.ts, is written so).
 */
export function profileOfShares(
  perGzipByte: number,
  events: Readonly<Record<string, number>>,
  columns: Readonly<Record<string, number>>,
): Record<string, Record<string, number>> {
  return Object.fromEntries(
    Object.entries(events).map(([name, share]) => [
      name,
      Object.fromEntries(
        Object.entries(columns).map(([column, part]) => [column, perGzipByte * share * part]),
      ),
    ]),
  );
}
