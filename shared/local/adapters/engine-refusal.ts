/**
 * The record the embedded engine names when it refuses a file's JSON, and why: DuckDB's reader says
 * `... in record/value 2: Object {...} has duplicate key "userAgent"` for a list's elements and
 * `... in line 2: ...` for a file of JSON lines, counting the records it read from 1 (a blank line is
 * none). A check in the gate can miss what the engine refuses (JSON.parse keeps the last of two equal
 * keys; DuckDB refuses the object), and a refusal would otherwise cost the whole file.
 */
export function refusedRecord(
  error: unknown,
): { value: number; reason: string; quoted: string | null } | null {
  const message = (error as Error)?.message ?? String(error);
  const match = /in (?:record\/value|line) (\d+): ([^\n]*)/.exec(message);
  if (!match) return null;
  const said = (match[2] ?? '').trim();
  // `Object {"eventVersion":"1.09","eventTime":"2024-05-01T10:... has duplicate key`: the start it quotes.
  const quoted = /^Object (\{.*?)\.\.\. /.exec(said)?.[1] ?? null;
  return { value: Number(match[1]), reason: `refused by the embedded engine: ${said.slice(0, 300)}`, quoted };
}

/** Whether a record's text starts as the engine quoted it, space aside; true when it quoted nothing. */
export function startsAsQuoted(text: string, quoted: string | null): boolean {
  if (quoted === null) return true;
  const bare = (value: string) => value.replace(/\s+/g, '');
  return bare(text).startsWith(bare(quoted));
}

/** Records one file may have refused before it is skipped whole: each costs a pass over the file. */
export const MAX_REFUSED_RECORDS = 20;
