import { createHash } from 'node:crypto';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { type EvidenceStore, readCaseFile } from '../ports/evidence-store.js';

export interface Verification {
  caseId: string;
  verified: number;
  /** Files whose content no longer has the hash the manifest recorded. */
  altered: string[];
  /** Files the manifest lists that are gone. */
  missing: string[];
  /** Files in the case folder that the manifest never listed. */
  added: string[];
}

/** Recomputes every hash of a case folder against its manifest: was the evidence touched since? */
export async function verifyCase(store: EvidenceStore, caseId: string): Promise<Verification> {
  const layout = caseFolderLayout(caseId);
  const manifest = await readCaseFile(store, caseFiles(caseId).manifest);
  const result: Verification = { caseId, verified: 0, altered: [], missing: [], added: [] };
  const listed = new Set(manifest.files.map((f) => f.file));
  for (const entry of manifest.files) {
    const key = `${layout.root}${entry.file}`;
    if (!(await store.exists(key))) {
      result.missing.push(entry.file);
      continue;
    }
    const hash = createHash('sha256')
      .update(await store.get(key))
      .digest('hex');
    if (hash === entry.sha256) result.verified += 1;
    else result.altered.push(entry.file);
  }
  for (const object of await store.list(layout.root)) {
    const file = layout.relative(object.key);
    if (object.key !== layout.manifest && !listed.has(file)) result.added.push(file);
  }
  return result;
}
