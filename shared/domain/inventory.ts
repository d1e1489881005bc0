import type { CoverageEntry } from './coverage.js';
import type { LogGroupExport } from './log-exports.js';
import type { LogSourceId } from './log-sources.js';

/** How the records of one local file are laid out, as the source's detector named it (`records-object`, `json-lines`...). */
export type FileLayout = string;

export interface InventoriedFile {
  path: string;
  size: number;
  layout: FileLayout;
  compressed: boolean;
}

/** One place where a source's logs are stored. */
export interface SourceLocation {
  source: LogSourceId;
  /** `s3://bucket/prefix/` or a local folder. */
  location: string;
  /**
   * Local inventory: every file of this source, with its layout. Held in memory only: the case folder
   * keeps the files in the inventory's file list (`inventory-files.jsonl`), one line each.
   */
  files?: InventoriedFile[];
  /** How many lines of the inventory's file list are this location's: present when it lists its files. */
  listedFiles?: number;
  /** S3 delivery layout: accounts and regions found under `AWSLogs/`. */
  accounts?: string[];
  regions?: string[];
  /** Organisation trails put the organisation id between `AWSLogs/` and the account. */
  organizationId?: string;
  /** The folders a delivery writes per resource (bucket, VPC, web ACL), for the Athena partitions. */
  resourceFolders?: string[];
  /**
   * Free-form facts worth showing a responder (trail name, multi-region, logging on or off).
   * `coverage` marks the location partial, with the reason; `layout` tells the Athena table
   * builder how the files are laid out.
   */
  details?: Record<string, string | number | boolean>;
}

export type InputStage = 'inventory' | 'tables' | 'export' | 'hunts';

/** An input casefile did not read, and why: nothing is skipped silently. */
export interface SkippedInput {
  input: string;
  reason: string;
  stage: InputStage;
}

/**
 * A record set aside because it does not fit its source's reader: its file, where it is in the
 * decoded file (`record 3`, `line 7`), why, and its first bytes. The other records of the file are read.
 */
export interface QuarantinedRecord {
  source: LogSourceId;
  file: string;
  position: string;
  reason: string;
  excerpt: string;
}

/** How much of one file was read: `records` = `read` + `quarantined`. */
export interface FileRecordCount {
  file: string;
  source: LogSourceId;
  records: number;
  read: number;
  quarantined: number;
  /** Values that did not parse as their column's type (a number, a flag) and are read as NULL. */
  nulledValues: number;
  /** Why the file's content ends before its end (a cut-off gzip, bytes after the gzip data). */
  damage?: string;
}

export interface Inventory {
  discoveredAt: string;
  sources: SourceLocation[];
  skipped: SkippedInput[];
  /** Notes on what the inventory could not see (a denied API, a region without the service). */
  notes: string[];
  /** CloudWatch-only log groups to export into the case folder before the tables are built. */
  exports?: LogGroupExport[];
  /** Per known source: present, partial, missing or out of retention, with the consequence. */
  coverage?: CoverageEntry[];
  /**
   * What a source does not cover that no location of it can carry (`details.coverage` does for the
   * rest): an EKS cluster without audit logging, a region whose VPCs have no flow log.
   */
  gaps?: CoverageGap[];
}

export interface CoverageGap {
  source: LogSourceId;
  reason: string;
  /** `out-of-retention`: the source's logs existed but retention dropped the whole window. */
  status?: 'missing' | 'out-of-retention';
}

/**
 * A file's path as the inventory's file list keeps it: from its location's folder when it is inside
 * (the folder is written once, in the inventory, not on each of half a million lines), else whole.
 */
export function pathInLocation(location: string, path: string): string {
  const folder = location.endsWith('/') ? location : `${location}/`;
  return path.startsWith(folder) && path.length > folder.length ? path.slice(folder.length) : path;
}

/** The path `pathInLocation` kept, whole again: a path kept whole is absolute. */
export function pathFromLocation(location: string, kept: string): string {
  if (kept.startsWith('/') || /^[A-Za-z]:[\\/]/.test(kept) || kept.startsWith('\\\\')) return kept;
  return location.endsWith('/') ? `${location}${kept}` : `${location}/${kept}`;
}
