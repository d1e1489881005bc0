import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Real logs nobody on the team wrote, copied into test/fixtures with their source and licence
 * (each folder's README.txt): Stratus Red Team detonations (Apache-2.0), AWS documentation
 * examples (CC BY-SA 4.0).
 */
export function fixtureData(relativePath: string): string {
  const path = fileURLToPath(new URL(`../fixtures/${relativePath}`, import.meta.url));
  if (!existsSync(path)) throw new Error(`Test fixture ${path} is missing.`);
  return path;
}
