import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CompiledSigmaHunt, compileSigmaRule, otherLogSource } from './compile-sigma.js';

export interface SigmaFolder {
  hunts: CompiledSigmaHunt[];
  /** CloudTrail rules that could not be compiled, or files that are not readable rules. */
  errors: { file: string; error: string }[];
  /** Rules for other log sources (a SigmaHQ checkout holds mostly those): not errors, not run. */
  skipped: { file: string; logsource: string }[];
}

export interface SigmaRuleText {
  file: string;
  text: string;
}

/**
 * Compiles every `.yml`/`.yaml` below `dir`, in path order. A rule that fails is reported with its
 * file (relative to `dir`) and the others still load.
 */
export async function loadSigmaFolder(dir: string): Promise<SigmaFolder> {
  const files = (await readdir(dir, { recursive: true }))
    .filter((name) => name.endsWith('.yml') || name.endsWith('.yaml'))
    .sort();
  const rules: SigmaRuleText[] = [];
  const unreadable: SigmaFolder['errors'] = [];
  for (const file of files) {
    try {
      rules.push({ file, text: await readFile(join(dir, file), 'utf8') });
    } catch (error) {
      unreadable.push({ file, error: `${file}: unreadable: ${(error as Error).message}` });
    }
  }
  const folder = compileSigmaRules(rules);
  return { ...folder, errors: [...unreadable, ...folder.errors] };
}

/**
 * Compiles rule texts (from a folder, or stored in a case folder by the API); a second rule
 * compiling to a hunt id already taken is an error of its own.
 */
export function compileSigmaRules(rules: SigmaRuleText[]): SigmaFolder {
  const folder: SigmaFolder = { hunts: [], errors: [], skipped: [] };
  const owners = new Map<string, string>();
  for (const { file, text } of rules) {
    const logsource = otherLogSource(text);
    if (logsource) {
      folder.skipped.push({ file, logsource });
      continue;
    }
    let compiled: CompiledSigmaHunt;
    try {
      compiled = compileSigmaRule(text, file);
    } catch (error) {
      folder.errors.push({ file, error: (error as Error).message });
      continue;
    }
    const owner = owners.get(compiled.hunt.id);
    if (owner) {
      folder.errors.push({
        file,
        error: `${file}: hunt id '${compiled.hunt.id}' is also compiled from ${owner}`,
      });
      continue;
    }
    owners.set(compiled.hunt.id, file);
    folder.hunts.push(compiled);
  }
  return folder;
}
