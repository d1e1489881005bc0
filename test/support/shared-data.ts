import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Real attack logs live beside the checkout in ../shared/data (see its README.txt files for
 * sources and licences); tests read them in place and never copy them into the project.
 */
export function sharedData(relativePath: string): string {
  const path = fileURLToPath(new URL(`../../../shared/data/${relativePath}`, import.meta.url));
  if (!existsSync(path)) {
    throw new Error(
      `Test data ${path} is missing: these tests need the ../shared/data folder beside the casefile checkout.`,
    );
  }
  return path;
}
