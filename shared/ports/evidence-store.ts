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

export async function getJson<T>(store: EvidenceStore, key: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await store.get(key))) as T;
}

/** The one serialisation of a JSON case file, so a file can be re-serialised to the same bytes. */
export function jsonFileText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export async function putJson(store: EvidenceStore, key: string, value: unknown): Promise<void> {
  await store.put(key, jsonFileText(value), 'application/json');
}
