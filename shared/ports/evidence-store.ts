import { type CaseFile, parseCaseFile, serialiseCaseFile } from '../domain/case-files/case-file.js';
import { type CaseLines, caseLineText, parseCaseLine } from '../domain/case-files/case-lines.js';
import { InvalidCaseFileError } from '../errors.js';

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
   * Writes the object from its chunks as they come, never holding it whole: a case of half a million
   * input files lists each of them, and one string of such a list is hundreds of megabytes.
   */
  putStream(key: string, body: AsyncIterable<Uint8Array>, contentType?: string): Promise<void>;
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

/** Lines are handed to the store in chunks of about this size: small beside any list, large beside a line. */
const LINES_CHUNK_BYTES = 256 * 1024;

/**
 * Writes a JSON Lines case file from its values as they come, each checked against the line's
 * contract first; says how many lines it wrote. Neither the values nor their text are held whole.
 */
export async function writeCaseLines<T>(
  store: EvidenceStore,
  file: CaseLines<T>,
  values: Iterable<T> | AsyncIterable<T>,
): Promise<number> {
  let count = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let pending = '';
    for await (const value of values) {
      pending += caseLineText(file, value);
      count += 1;
      if (pending.length >= LINES_CHUNK_BYTES) {
        yield Buffer.from(pending);
        pending = '';
      }
    }
    if (pending !== '') yield Buffer.from(pending);
  }
  await store.putStream(file.key, chunks(), 'application/x-ndjson');
  return count;
}

/**
 * A JSON Lines case file's values, one at a time as its bytes arrive: a line that breaks the contract
 * fails where it is read, naming the file and the line.
 */
export async function* readCaseLines<T>(store: EvidenceStore, file: CaseLines<T>): AsyncGenerator<T> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (chunk?: Uint8Array) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch (error) {
      throw new InvalidCaseFileError(`${file.key} after line ${line} is not UTF-8.`, { cause: error });
    }
  };
  let rest = '';
  let line = 0;
  for await (const chunk of (await store.read(file.key)).body) {
    const text = rest + decode(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      line += 1;
      yield parseCaseLine(file, text.slice(start, end), line);
      start = end + 1;
    }
    rest = text.slice(start);
  }
  rest += decode();
  if (rest !== '') yield parseCaseLine(file, rest, line + 1);
}
