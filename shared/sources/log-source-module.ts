import type { LogSourceId } from '../domain/log-sources.js';

/**
 * One log source, all in one place: how to recognise its files, and how each engine reads them
 * into the table of the source's name with the same columns.
 */
export interface LogSourceModule {
  id: LogSourceId;
  /**
   * Recognises the source from a file's first decompressed bytes (never its name) and names the
   * layout (`records-object`, `json-lines`, ...) the reader must use; null when not this source.
   */
  detect(head: string): string | null;
  /**
   * The event's time as a timestamp, in SQL both engines accept: the window filter and the observed
   * span use it (`from_iso8601_timestamp(eventtime)` for CloudTrail).
   */
  timeExpression: string;
  /** A DuckDB SELECT giving the table's columns from files of one layout (pure SQL text). */
  duckdbSelect(paths: string[], layout: string, compressed: boolean): string;
}
