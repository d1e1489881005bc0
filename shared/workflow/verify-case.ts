import { parseCaseFile } from '../domain/case-files/case-file.js';
import type { Manifest } from '../domain/case-files/manifest-file.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { EvidenceStoreError, InvalidCaseFileError } from '../errors.js';
import type { EvidenceStore } from '../ports/evidence-store.js';
import { caseFileEntry, hashStream, sha256 } from './write-manifest.js';

export interface Verification {
  caseId: string;
  verified: number;
  /** Files whose content no longer has the hash the manifest recorded. */
  altered: string[];
  /** Files the manifest lists that are gone. */
  missing: string[];
  /** Files in the case folder that the manifest never listed. */
  added: string[];
  /** The SHA-256 of `manifest.json` as it is now. */
  manifestSha256: string;
  /** Why the manifest itself cannot be trusted: its hash differs from the one recorded or given. */
  manifestProblems: string[];
}

/**
 * Recomputes every hash of a case folder against its manifest, streaming each file: was the evidence
 * touched since? The manifest's own hash is checked against `case.json` and, better, against the
 * value printed at the end of the run and kept elsewhere (`expectedManifestSha256`).
 */
export async function verifyCase(
  store: EvidenceStore,
  caseId: string,
  expectedManifestSha256?: string,
): Promise<Verification> {
  const layout = caseFolderLayout(caseId);
  const manifests = await runManifests(store, caseId);
  const latest = manifests.at(-1) as RunManifest;
  const manifestSha256 = sha256(latest.text);
  const result: Verification = {
    caseId,
    verified: 0,
    altered: [],
    missing: [],
    added: [],
    manifestSha256,
    manifestProblems: [],
  };
  if (expectedManifestSha256 !== undefined && expectedManifestSha256.toLowerCase() !== manifestSha256) {
    result.manifestProblems.push(
      `manifest.json has SHA-256 ${manifestSha256}, not the ${expectedManifestSha256} given: the manifest was edited.`,
    );
  }
  for (const earlier of manifests.slice(0, -1)) {
    const vouched = latest.manifest.earlierManifests?.find((m) => m.file === earlier.file);
    const actual = { size: Buffer.byteLength(earlier.text), sha256: sha256(earlier.text) };
    if (!vouched || vouched.sha256 !== actual.sha256 || vouched.size !== actual.size) {
      result.manifestProblems.push(
        `${earlier.file} is not the manifest the latest run recorded: it was edited.`,
      );
    }
  }
  // A file a later run wrote again (case.json, claim.json) is checked against the latest manifest listing it.
  const lastListing = new Map(manifests.flatMap((m) => m.manifest.files.map((f) => [f.file, f] as const)));
  const manifestFiles = new Set(manifests.map((m) => m.file));
  for (const entry of lastListing.values()) {
    const key = `${layout.root}${entry.file}`;
    if (!(await store.exists(key))) {
      result.missing.push(entry.file);
      continue;
    }
    const actual =
      key === layout.caseFile
        ? caseFileEntry(entry.file, await store.get(key))
        : await hashStream((await store.read(key)).body);
    if (actual.sha256 === entry.sha256 && actual.size === entry.size) result.verified += 1;
    else result.altered.push(entry.file);
  }
  for (const object of await store.list(layout.root)) {
    const file = layout.relative(object.key);
    if (!manifestFiles.has(file) && !lastListing.has(file)) result.added.push(file);
  }
  const recorded = await recordedManifestHash(store, caseId);
  if (recorded !== null && recorded !== manifestSha256) {
    result.manifestProblems.push(
      `manifest.json has SHA-256 ${manifestSha256}, but case.json recorded ${recorded}: the manifest was edited.`,
    );
  }
  return result;
}

interface RunManifest {
  file: string;
  text: string;
  manifest: Manifest;
}

/** Every run's manifest, oldest first: run 1's `manifest.json`, then `runs/<n>/manifest.json`. */
async function runManifests(store: EvidenceStore, caseId: string): Promise<RunManifest[]> {
  const layout = caseFolderLayout(caseId);
  const text = await readManifestText(store, caseId);
  const manifests = [
    { file: 'manifest.json', text, manifest: parseManifest(caseId, text, store.locate(layout.manifest)) },
  ];
  const later = (await store.list(`${layout.root}runs/`))
    .map((o) => layout.relative(o.key))
    .map((file) => ({ file, run: Number(/^runs\/(\d+)\/manifest\.json$/.exec(file)?.[1]) }))
    .filter((m) => Number.isInteger(m.run))
    .sort((a, b) => a.run - b.run);
  for (const { file } of later) {
    const key = `${layout.root}${file}`;
    const runText = new TextDecoder().decode(await store.get(key));
    manifests.push({ file, text: runText, manifest: parseManifest(caseId, runText, store.locate(key)) });
  }
  return manifests;
}

async function readManifestText(store: EvidenceStore, caseId: string): Promise<string> {
  const layout = caseFolderLayout(caseId);
  if (await store.exists(layout.manifest)) return new TextDecoder().decode(await store.get(layout.manifest));
  if ((await store.list(layout.root)).length === 0) {
    throw new EvidenceStoreError(`There is no case folder at ${store.locate(layout.root)}.`);
  }
  throw new EvidenceStoreError(
    `${store.locate(layout.manifest)} does not exist: the case never finished (see case.json's status), ` +
      'or its manifest was removed. Nothing in the folder can be verified.',
  );
}

function parseManifest(caseId: string, text: string, where: string): Manifest {
  try {
    return parseCaseFile(caseFiles(caseId).manifest, text);
  } catch (error) {
    if (!(error instanceof InvalidCaseFileError)) throw error;
    throw new EvidenceStoreError(
      `${where} is not a casefile manifest: it was damaged or replaced. ${error.message}`,
      { cause: error },
    );
  }
}

/**
 * The manifest hash `case.json` recorded. A `case.json` that no longer keeps its contract is already
 * reported as altered; it then records nothing to compare.
 */
async function recordedManifestHash(store: EvidenceStore, caseId: string): Promise<string | null> {
  const file = caseFiles(caseId).caseRecord;
  if (!(await store.exists(file.key))) return null;
  try {
    return parseCaseFile(file, new TextDecoder().decode(await store.get(file.key))).manifestSha256 ?? null;
  } catch (error) {
    if (error instanceof InvalidCaseFileError) return null;
    throw error;
  }
}
