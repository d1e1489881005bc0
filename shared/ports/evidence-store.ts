import { type CaseFile, parseCaseFile, serialiseCaseFile } from '../domain/case-files/case-file.js';

export interface StoredObject {
  key: string;
  size: number;
}

/** An object read as a stream, with the run that wrote it. */
export interface ObjectReading {
  body: AsyncIterable<Uint8Array>;
  /** The run id the write was tagged with; null for a file no casefile run of this store wrote. */
  writtenBy: string | null;
}

/**
 * Lets go of a body that will not be read: destroying the stream closes a file or releases an S3
 * connection instead of holding it until the garbage collector (a re-run's manifest passes over every
 * file of the earlier runs). Ending an iteration never started would not: a Node stream's iterator
 * destroys it only once it has begun.
 */
export async function discardBody(reading: ObjectReading): Promise<void> {
  const body = reading.body as AsyncIterable<Uint8Array> & { destroy?: () => void };
  if (typeof body.destroy === 'function') body.destroy();
  else await body[Symbol.asyncIterator]().return?.();
}

/**
 * Where a case folder lives: a local directory or an S3 prefix. Keys are relative and use `/`
 * (`<caseId>/hunts/<huntId>.json`), so the same layout holds in both.
 */
export interface EvidenceStore {
  /** A human-readable address of a key (`s3://bucket/cases/...` or an absolute path). */
  locate(key: string): string;
  put(key: string, body: string | Uint8Array, contentType?: string): Promise<void>;
  /**
   * An exclusive create: writes only when nothing is at the key, atomically, and says whether it did.
   * Two runs claiming one case folder at the same moment get one `true` and one `false`.
   */
  putIfAbsent(key: string, body: string | Uint8Array, contentType?: string): Promise<boolean>;
  /** Throws EvidenceStoreError when the key does not exist. */
  get(key: string): Promise<Uint8Array>;
  /** Streams the object (never whole in memory); throws EvidenceStoreError when it does not exist. */
  read(key: string): Promise<ObjectReading>;
  exists(key: string): Promise<boolean>;
  /** Every object under the prefix, recursively, sorted by key. */
  list(prefix: string): Promise<StoredObject[]>;
  /**
   * The same store, with every write tagged as this run's, so the manifest lists only what the run
   * wrote and never adopts a file someone else left in the folder.
   */
  forRun(runId: string): EvidenceStore;
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

/**
 * Creates a case file only where none is (see `putIfAbsent`), refusing a value that breaks its
 * contract; says whether it did.
 */
export async function createCaseFile<T>(store: EvidenceStore, file: CaseFile<T>, value: T): Promise<boolean> {
  return store.putIfAbsent(file.key, serialiseCaseFile(file, value), 'application/json');
}
