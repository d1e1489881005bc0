import { createHash } from 'node:crypto';
import type { CaseContext } from '../domain/case.js';
import { jsonFileText, serialiseCaseFile } from '../domain/case-files/case-file.js';
import type { Manifest, ManifestEntry } from '../domain/case-files/manifest-file.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { CasefileError } from '../errors.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import {
  discardBody,
  type EvidenceStore,
  readCaseFile,
  readCaseFileIfPresent,
  writeCaseFile,
  writeCaseLines,
} from '../ports/evidence-store.js';
import { inventoriedFiles } from '../ports/inventory-files.js';
import { mapConcurrentlyInOrder } from '../util/async.js';

/**
 * `manifest.json`, written last: size and SHA-256 of every file the run wrote and every log file it
 * read, each hashed as a stream. Its own SHA-256 goes to `case.json` and to the caller, who keeps it
 * elsewhere: with it, `verify` detects an edited manifest too.
 */
export async function writeManifest(context: CaseContext, adapters: CaseAdapters) {
  const layout = caseFolderLayout(context.caseId, context.run);
  const caseFile = caseFiles(context.caseId, context.run);
  const runId = context.runId ?? (await readCaseFile(adapters.store, caseFile.claim)).runId;
  const store = adapters.store.forRun(runId);
  const { manifestSha256: _, ...caseRecord } = await readCaseFile(store, caseFile.caseRecord);
  // Before the case folder is listed: the inputs' list is a file of this run, hashed with the others.
  const inputs = await hashInputs(store, context.caseId, adapters, context.run);
  const files: ManifestEntry[] = [];
  const notWrittenByThisRun: string[] = [];
  for (const object of await store.list(layout.root)) {
    if (object.key === layout.manifest) continue;
    const file = layout.relative(object.key);
    if (object.key === layout.caseFile) {
      // Hashed as it is written again below, less the one field the manifest cannot cover.
      files.push({ file, ...textEntry(jsonFileText(caseRecord)) });
      continue;
    }
    const reading = await store.read(object.key);
    if (reading.writtenBy !== runId) {
      notWrittenByThisRun.push(file);
      await discardBody(reading);
      continue;
    }
    files.push({ file, ...(await hashStream(reading.body)) });
  }
  const written = new Set(files.map((f) => f.file));
  const manifest: Manifest = {
    caseId: context.caseId,
    runId,
    algorithm: 'SHA-256',
    createdAt: adapters.now().toISOString(),
    engine: { name: context.engine, version: (await adapters.engine.version?.()) ?? null },
    files,
    ...inputs,
    queries: await queryHashes(store, context.caseId, written, context.run),
    notWrittenByThisRun,
    ...((context.run ?? 1) > 1
      ? { earlierManifests: await earlierManifests(store, context.caseId, context.run ?? 1) }
      : {}),
  };
  const text = serialiseCaseFile(caseFile.manifest, manifest);
  const manifestSha256 = sha256(text);
  await store.put(caseFile.manifest.key, text, 'application/json');
  await writeCaseFile(store, caseFile.caseRecord, { ...caseRecord, manifestSha256 });
  return { caseFolder: store.locate(layout.root), files: files.length, manifestSha256 };
}

/** The manifests of the runs before this one, hashed as they are now. */
async function earlierManifests(store: EvidenceStore, caseId: string, run: number): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  for (let earlier = 1; earlier < run; earlier++) {
    const layout = caseFolderLayout(caseId, earlier);
    if (!(await store.exists(layout.manifest))) continue;
    entries.push({
      file: layout.relative(layout.manifest),
      ...(await hashStream((await store.read(layout.manifest)).body)),
    });
  }
  return entries;
}

/**
 * `case.json` is hashed without its `manifestSha256`, which is written after the manifest: the one
 * field the manifest cannot cover, since it is the manifest's own hash. The file is read as it is,
 * not through its contract: a verifier must be able to say it was altered, whatever it now holds.
 */
export function caseFileEntry(file: string, body: Uint8Array): ManifestEntry {
  let text: string;
  try {
    const { manifestSha256: _, ...rest } = JSON.parse(new TextDecoder().decode(body)) as Record<
      string,
      unknown
    >;
    text = jsonFileText(rest);
  } catch {
    // No longer JSON: hashed as it is, so it cannot match what the run wrote.
    return { file, size: body.byteLength, sha256: createHash('sha256').update(body).digest('hex') };
  }
  return { file, ...textEntry(text) };
}

export async function hashStream(body: AsyncIterable<Uint8Array>): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { size, sha256: hash.digest('hex') };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function textEntry(text: string): { size: number; sha256: string } {
  return { size: Buffer.byteLength(text), sha256: sha256(text) };
}

/** 2,515 delivery files (109 MiB) hashed one at a time took 0.76 s, eight at a time 0.26 s. */
const INPUTS_HASHED_AT_ONCE = 8;

/**
 * Every log file the inventory lists, hashed as its list is read and written to `manifest-inputs.jsonl`
 * a line at a time, in the list's order: half a million inputs are never one array or one string.
 */
async function hashInputs(store: EvidenceStore, caseId: string, adapters: CaseAdapters, run?: number) {
  const files = caseFiles(caseId, run);
  const inventory = await readCaseFileIfPresent(store, files.inventory);
  if (!inventory) return { inputFiles: 0, inputLocations: [] };
  const inputLocations = inventory.sources.filter((l) => l.listedFiles === undefined).map((l) => l.location);
  if (inputLocations.length === inventory.sources.length) return { inputFiles: 0, inputLocations };
  const read = adapters.inputs;
  if (!read) {
    throw new CasefileError(`The inventory lists files, but no input reader is configured.`);
  }
  // Several at once: a case of thousands of small delivery files waits on opening them, not on hashing.
  const hashed = mapConcurrentlyInOrder(
    inventoriedFiles(store, files.inventory, inventory),
    INPUTS_HASHED_AT_ONCE,
    async ({ file }) => ({ file: file.path, ...(await hashStream(await read.read(file.path))) }),
  );
  const inputFiles = await writeCaseLines(store, files.manifestInputs, hashed);
  return { inputFiles, inputLocations };
}

/** The query of every hunt result this run wrote; a file it did not write is never read. */
async function queryHashes(store: EvidenceStore, caseId: string, written: Set<string>, run?: number) {
  const layout = caseFolderLayout(caseId, run);
  const queries: { huntId: string; sha256: string }[] = [];
  for (const object of await store.list(layout.huntsFolder)) {
    const file = layout.relative(object.key);
    if (!object.key.endsWith('.json') || !written.has(file)) continue;
    const huntId = object.key.slice(layout.huntsFolder.length, -'.json'.length);
    const record = await readCaseFile(store, caseFiles(caseId, run).huntResult(huntId));
    queries.push({ huntId: record.huntId, sha256: sha256(record.query) });
  }
  return queries;
}
