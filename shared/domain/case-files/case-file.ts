import type { z } from 'zod';
import { InvalidCaseFileError } from '../../errors.js';

/**
 * One file of the case folder: its key, and the schema every writer and reader of it holds to.
 * Steps hand each other these files, so the schema is the contract between them.
 */
export interface CaseFile<T> {
  /** The key in the evidence store (`<caseId>/tables.json`). */
  key: string;
  schema: z.ZodType<T>;
}

/** Reads a case file's text; a file that breaks its contract is named, with what is wrong where. */
export function parseCaseFile<T>(file: CaseFile<T>, text: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidCaseFileError(`${file.key} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = file.schema.safeParse(json);
  if (!parsed.success) throw new InvalidCaseFileError(`${file.key} ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * The text a case file is written as. The value is checked first, so a step cannot leave a file the
 * next step would refuse; it is written as given, so nothing a writer adds is lost on the way.
 */
export function serialiseCaseFile<T>(file: CaseFile<T>, value: T): string {
  const parsed = file.schema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidCaseFileError(`Refusing to write ${file.key}: it ${describeIssues(parsed.error)}`);
  }
  return jsonFileText(value);
}

/**
 * The one serialisation of a JSON case file, so a value read back can be written again to the same
 * bytes (the manifest hashes `case.json` this way, without the hash it records afterwards).
 */
export function jsonFileText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** What is wrong where, in a sentence: the first five issues. */
export function describeIssues(error: z.ZodError): string {
  const issues = error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return `does not match its schema (${issues.join('; ')}${error.issues.length > 5 ? '; ...' : ''}).`;
}
