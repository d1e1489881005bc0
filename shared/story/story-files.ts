import type { Closure } from './closure.js';
import type { LogCompleteness } from './completeness.js';
import type { Lineage } from './lineage.js';
import type { OpenItem } from './open-items.js';
import type { QuarantinedRow } from './story-event.js';

/** The files TraceStory writes and BuildReport reads: one owner for their shapes. */
export interface LineageFile extends Lineage {
  /** Rows a query returned past its row limit: the lineage is then partial. */
  truncated: string[];
  quarantined: QuarantinedRow[];
}

export interface PivotsFile extends Closure {
  seeds: 'iocs' | 'findings' | 'none';
  /** Indicators too long to bind as a query parameter: listed, never queried. */
  notQueried: string[];
}

export interface OpenItemsFile {
  endOfLogs: string | null;
  items: (OpenItem & { note?: string })[];
}

export type LogCompletenessFile = LogCompleteness;

export interface StoryFiles {
  lineage: LineageFile;
  pivots: PivotsFile;
  openItems: OpenItemsFile;
  completeness: LogCompletenessFile;
}
