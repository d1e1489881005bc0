import { type CaseFile, parseCaseFile, serialiseCaseFile } from '../domain/case-files/case-file.js';

export interface StoredObject {
  key: string;
  size: number;
}

/**
 * Where a case folder lives: a local directory or an S3 prefix. Keys are relative and use `/`
 * (`<caseId>/hunts/<huntId>.json`), so the same layout holds in both.
 */
export interface EvidenceStore {
  /** A human-readable address of a key (`s3://bucket/cases/...` or an absolute path). */
  locate(key: string): string;
  put(key: string, body: string | Uint8Array, contentType?: string): Promise<void>;
  /** Throws EvidenceStoreError when the key does not exist. */
  get(key: string): Promise<Uint8Array>;
  exists(key: string): Promise<boolean>;
  /** Every object under the prefix, recursively, sorted by key. */
  list(prefix: string): Promise<StoredObject[]>;
}

/** Reads a case file and checks it against its contract (see `caseFiles`). */
export async function readCaseFile<T>(store: EvidenceStore, file: CaseFile<T>): Promise<T> {
  return parseCaseFile(file, new TextDecoder().decode(await store.get(file.key)));
}

/** The case file, or null when no step has written it yet. */
export async function readCaseFileIfPresent<T>(store: EvidenceStore, file: CaseFile<T>): Promise<T | null> {
  return (await store.exists(file.key)) ? readCaseFile(store, file) : null;
}

/** Writes a case file, refusing a value that breaks its contract. */
export async function writeCaseFile<T>(store: EvidenceStore, file: CaseFile<T>, value: T): Promise<void> {
  await store.put(file.key, serialiseCaseFile(file, value), 'application/json');
}
