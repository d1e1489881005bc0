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
  return parseAgainst(file.schema, file.key, text);
}

/**
 * JSON text read against a schema; what breaks it is named as `what` (a case file's key, or a line
 * of one), with what is wrong where.
 */
export function parseAgainst<T>(schema: z.ZodType<T>, what: string, text: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidCaseFileError(`${what} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InvalidCaseFileError(`${what} ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * The text a case file is written as. The value is checked first, so a step cannot leave a file the
 * next step would refuse; it is written as given, so nothing a writer adds is lost on the way.
 */
export function serialiseCaseFile<T>(file: CaseFile<T>, value: T): string {
  checkBeforeWriting(file.schema, file.key, value);
  return jsonFileText(value);
}

/** Refuses to write a value that breaks its schema, naming it as `what`. */
export function checkBeforeWriting<T>(schema: z.ZodType<T>, what: string, value: T): void {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new InvalidCaseFileError(`Refusing to write ${what}: it ${describeIssues(parsed.error)}`);
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
