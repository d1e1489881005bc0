import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { type HuntDefinition, validateHunt } from '../domain/hunt-definition.js';
import { InvalidHuntError } from '../errors.js';

/** The ATT&CK release the library's technique ids and tactic names refer to. */
export const ATTACK_VERSION = 'v17';

/**
 * Where the hunt files are. In a Lambda bundle the module is bundled away from them, so the
 * package ships them under the task root (serverless.yml `package.patterns`).
 */
export function defaultLibraryDir(): string {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (taskRoot) return join(taskRoot, 'shared', 'hunts', 'library');
  return fileURLToPath(new URL('./library/', import.meta.url));
}

/**
 * The library is read once per process (a Lambda container, a local run) and per folder: every
 * hunt of the fan-out needs it, and the files do not change while a process lives.
 */
const loaded = new Map<string, Promise<HuntDefinition[]>>();

/** Loads and validates every hunt; one malformed file stops the load with its name in the error. */
export function loadHuntLibrary(dir = defaultLibraryDir()): Promise<HuntDefinition[]> {
  let library = loaded.get(dir);
  if (!library) {
    library = readLibrary(dir);
    loaded.set(dir, library);
    library.catch(() => loaded.delete(dir));
  }
  return library;
}

async function readLibrary(dir: string): Promise<HuntDefinition[]> {
  const files = (await readdir(dir, { recursive: true }))
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .sort();
  const hunts: HuntDefinition[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let raw: unknown;
    try {
      raw = parse(await readFile(join(dir, file), 'utf8'));
    } catch (error) {
      throw new InvalidHuntError(`${file}: not valid YAML: ${(error as Error).message}`, { cause: error });
    }
    const hunt = validateHunt(raw, file);
    const earlier = seen.get(hunt.id);
    if (earlier) throw new InvalidHuntError(`${file}: hunt id '${hunt.id}' is also used by ${earlier}`);
    seen.set(hunt.id, file);
    hunts.push(hunt);
  }
  return hunts;
}

export async function findHunt(huntId: string, dir?: string): Promise<HuntDefinition> {
  const hunt = (await loadHuntLibrary(dir)).find((h) => h.id === huntId);
  if (!hunt) throw new InvalidHuntError(`No hunt with id '${huntId}' in the library.`);
  return hunt;
}
