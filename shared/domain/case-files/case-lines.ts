import type { z } from 'zod';
import { checkBeforeWriting, parseAgainst } from './case-file.js';

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
  checkBeforeWriting(file.schema, `a line of ${file.key}`, value);
  return `${JSON.stringify(value)}\n`;
}

/** One line's value; a line that breaks the contract is named by its file and number. */
export function parseCaseLine<T>(file: CaseLines<T>, text: string, line: number): T {
  return parseAgainst(file.schema, `${file.key} line ${line}`, text);
}
