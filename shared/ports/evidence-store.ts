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

export async function getJson<T>(store: EvidenceStore, key: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await store.get(key))) as T;
}

export async function putJson(store: EvidenceStore, key: string, value: unknown): Promise<void> {
  await store.put(key, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
}
