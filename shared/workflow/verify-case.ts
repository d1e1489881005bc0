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
  const manifestText = await readManifestText(store, caseId);
  const manifest = parseManifest(caseId, manifestText, store.locate(layout.manifest));
  const manifestSha256 = sha256(manifestText);
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
  const listed = new Set(manifest.files.map((f) => f.file));
  for (const entry of manifest.files) {
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
    if (object.key !== layout.manifest && !listed.has(file)) result.added.push(file);
  }
  const recorded = await recordedManifestHash(store, caseId);
  if (recorded !== null && recorded !== manifestSha256) {
    result.manifestProblems.push(
      `manifest.json has SHA-256 ${manifestSha256}, but case.json recorded ${recorded}: the manifest was edited.`,
    );
  }
  return result;
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
