import { createHash } from 'node:crypto';
import type { CaseContext } from '../domain/case.js';
import type { ManifestEntry } from '../domain/case-files/manifest-file.js';
import { caseFiles } from '../domain/case-files.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { writeCaseFile } from '../ports/evidence-store.js';

/** `manifest.json`: the SHA-256 and size of every other file in the case, written last. */
export async function writeManifest(context: CaseContext, adapters: CaseAdapters) {
  const layout = caseFolderLayout(context.caseId);
  const files: ManifestEntry[] = [];
  for (const object of await adapters.store.list(layout.root)) {
    if (object.key === layout.manifest) continue;
    const body = await adapters.store.get(object.key);
    files.push({
      file: layout.relative(object.key),
      size: body.byteLength,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
  }
  await writeCaseFile(adapters.store, caseFiles(context.caseId).manifest, {
    caseId: context.caseId,
    algorithm: 'SHA-256',
    createdAt: adapters.now().toISOString(),
    files,
  });
  return { caseFolder: adapters.store.locate(layout.root), files: files.length };
}
