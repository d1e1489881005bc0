import { mergeAllowlists, parseAllowlist } from '../domain/allowlist.js';
import { type CaseContext, openCaseContext } from '../domain/case.js';
import { caseFolderLayout } from '../domain/case-folder-layout.js';
import { InvalidRequestError } from '../errors.js';
import type { CaseAdapters } from '../ports/case-adapters.js';
import { putJson } from '../ports/evidence-store.js';

/** Sigma rules sent with a request, each `{ file, text }`; the file name becomes the stored name. */
function sigmaRules(raw: unknown): { file: string; text: string }[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new InvalidRequestError("'sigmaRules' must be a list of { file, text }.");
  return raw.map((rule, i) => {
    const r = (rule ?? {}) as Record<string, unknown>;
    if (
      typeof r.file !== 'string' ||
      !/^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/.test(r.file) ||
      r.file.includes('..')
    ) {
      throw new InvalidRequestError(`Sigma rule ${i + 1} needs a plain relative file name.`);
    }
    if (typeof r.text !== 'string' || r.text.length > 200_000) {
      throw new InvalidRequestError(`Sigma rule ${r.file} needs its YAML text (at most 200 kB).`);
    }
    return { file: r.file, text: r.text };
  });
}

/**
 * Validates the request and opens the case folder with `case.json` in status RUNNING. An existing
 * case is never written over: its files are evidence, and mixing two runs would corrupt both.
 */
export async function openCase(request: unknown, adapters: CaseAdapters): Promise<CaseContext> {
  const context = openCaseContext(request, adapters.engineName, adapters.now());
  const layout = caseFolderLayout(context.caseId);
  if (await adapters.store.exists(layout.caseFile)) {
    throw new InvalidRequestError(
      `Case ${context.caseId} already exists at ${adapters.store.locate(layout.root)}: choose another case id.`,
    );
  }
  const caseAllowlist = parseAllowlist((request as { allowlist?: unknown }).allowlist, 'the request');
  for (const rule of sigmaRules((request as { sigmaRules?: unknown }).sigmaRules)) {
    await adapters.store.put(`${layout.sigmaFolder}${rule.file}`, rule.text, 'application/yaml');
  }
  await putJson(adapters.store, layout.allowlist, mergeAllowlists(adapters.allowlist ?? {}, caseAllowlist));
  await putJson(adapters.store, layout.caseFile, {
    caseId: context.caseId,
    status: 'RUNNING',
    request,
    window: context.window,
    engine: context.engine,
    timings: { openedAt: context.openedAt },
    caseFolder: adapters.store.locate(layout.root),
  });
  return context;
}
