import { createHash } from 'node:crypto';
import type { CaseContext } from '../domain/case.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import type { HuntResultRecord } from '../domain/hunt-result.js';
import type { Inventory } from '../domain/inventory.js';
import { CasefileError } from '../errors.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { type EvidenceStore, getJson, jsonFileText } from '../ports/evidence-store.js';

export interface ManifestEntry {
  file: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  caseId: string;
  runId: string;
  algorithm: 'SHA-256';
  createdAt: string;
  engine: { name: string; version: string | null };
  /** Every file of the case folder this run wrote, but the manifest itself. */
  files: ManifestEntry[];
  /** Log files read, by their path where they were read. */
  inputs: ManifestEntry[];
  /** Input locations read as a whole (S3 prefixes in AWS): S3 keeps each object's checksum and version. */
  inputLocations: string[];
  /** The SHA-256 of each hunt's exact query text, so a query can be matched to a library version. */
  queries: { huntId: string; sha256: string }[];
  /** Files found in the folder that this run did not write: never vouched for. */
  notWrittenByThisRun: string[];
}

/**
 * `manifest.json`, written last: size and SHA-256 of every file the run wrote and every log file it
 * read, each hashed as a stream. Its own SHA-256 goes to `case.json` and to the caller, who keeps it
 * elsewhere: with it, `verify` detects an edited manifest too.
 */
export async function writeManifest(context: CaseContext, adapters: CaseAdapters) {
  const layout = caseFolderLayout(context.caseId);
  const runId = context.runId ?? (await getJson<{ runId: string }>(adapters.store, layout.claim)).runId;
  const store = adapters.store.forRun(runId);
  const files: ManifestEntry[] = [];
  const notWrittenByThisRun: string[] = [];
  for (const object of await store.list(layout.root)) {
    if (object.key === layout.manifest) continue;
    const file = object.key.slice(layout.root.length);
    if (object.key === layout.caseFile) {
      files.push(caseFileEntry(file, await store.get(object.key)));
      continue;
    }
    const reading = await store.read(object.key);
    if (reading.writtenBy !== runId) {
      notWrittenByThisRun.push(file);
      continue;
    }
    files.push({ file, ...(await hashStream(reading.body)) });
  }
  const manifest: Manifest = {
    caseId: context.caseId,
    runId,
    algorithm: 'SHA-256',
    createdAt: adapters.now().toISOString(),
    engine: { name: context.engine, version: (await adapters.engine.version?.()) ?? null },
    files,
    ...(await hashInputs(store, layout.inventory, adapters)),
    queries: await queryHashes(store, layout.huntsFolder),
    notWrittenByThisRun,
  };
  const text = jsonFileText(manifest);
  const manifestSha256 = sha256(text);
  await store.put(layout.manifest, text, 'application/json');
  const caseFile = await getJson<Record<string, unknown>>(store, layout.caseFile);
  await store.put(layout.caseFile, jsonFileText({ ...caseFile, manifestSha256 }), 'application/json');
  return { caseFolder: store.locate(layout.root), files: files.length, manifestSha256 };
}

/**
 * `case.json` is hashed without its `manifestSha256`, which is written after the manifest: the one
 * field the manifest cannot cover, since it is the manifest's own hash.
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
  return { file, size: Buffer.byteLength(text), sha256: sha256(text) };
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

async function hashInputs(store: EvidenceStore, inventoryKey: string, adapters: CaseAdapters) {
  if (!(await store.exists(inventoryKey))) return { inputs: [], inputLocations: [] };
  const inventory = await getJson<Inventory>(store, inventoryKey);
  const inputs: ManifestEntry[] = [];
  const inputLocations: string[] = [];
  for (const location of inventory.sources) {
    if (!location.files) {
      inputLocations.push(location.location);
      continue;
    }
    if (!adapters.inputs) {
      throw new CasefileError(
        `The inventory lists files in ${location.location}, but no input reader is configured.`,
      );
    }
    for (const file of location.files) {
      inputs.push({ file: file.path, ...(await hashStream(await adapters.inputs.read(file.path))) });
    }
  }
  return { inputs: inputs.sort((a, b) => a.file.localeCompare(b.file)), inputLocations };
}

async function queryHashes(store: EvidenceStore, huntsFolder: string) {
  const queries: { huntId: string; sha256: string }[] = [];
  for (const object of await store.list(huntsFolder)) {
    if (!object.key.endsWith('.json')) continue;
    const record = await getJson<Partial<HuntResultRecord>>(store, object.key);
    if (typeof record.query === 'string' && typeof record.huntId === 'string') {
      queries.push({ huntId: record.huntId, sha256: sha256(record.query) });
    }
  }
  return queries;
}
