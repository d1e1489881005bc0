import type { z } from 'zod';
import { InvalidCaseFileError } from '../../errors.js';
import { describeIssues } from './case-file.js';

/**
 * A case file of one JSON value a line (JSON Lines), for the lists that grow with the input: one line
 * per file read. It is written and read a line at a time, so a list of half a million files is never
 * one string or one array; every line holds to `schema`.
 */
export interface CaseLines<T> {
  /** The key in the evidence store (`<caseId>/inventory-files.jsonl`). */
  key: string;
  schema: z.ZodType<T>;
}

/** One value as its line, checked first: a step cannot leave a line the next step would refuse. */
export function caseLineText<T>(file: CaseLines<T>, value: T): string {
  const parsed = file.schema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidCaseFileError(
      `Refusing to write a line of ${file.key}: it ${describeIssues(parsed.error)}`,
    );
  }
  return `${JSON.stringify(value)}\n`;
}

/** One line's value; a line that breaks the contract is named by its file and number. */
export function parseCaseLine<T>(file: CaseLines<T>, text: string, line: number): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidCaseFileError(`${file.key} line ${line} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = file.schema.safeParse(json);
  if (!parsed.success)
    throw new InvalidCaseFileError(`${file.key} line ${line} ${describeIssues(parsed.error)}`);
  return parsed.data;
}
