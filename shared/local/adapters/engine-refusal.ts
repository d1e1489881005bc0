/** Why the engine refused a record, and the start of it (or of the object in it) that it quoted. */
export interface Refusal {
  reason: string;
  quoted: string | null;
}

/**
 * The record the embedded engine names when it refuses a file's JSON, and why: DuckDB's reader says
 * `... in file "<path>", in record/value 2: Object {...} has duplicate key "userAgent"` for a list's
 * elements and `... in line 2: ...` for a file of JSON lines, counting the records it read from 1 (a
 * blank line is none). A check in the gate can miss what the engine refuses (JSON.parse keeps the last
 * of two equal keys; DuckDB refuses the object), and a refusal would otherwise cost the whole file.
 *
 * Only the place right after the file's own name counts: the name, or a value the message quotes, may
 * hold `in line 1: ` too. Where it says malformed JSON (`at byte 8 in line 3`) it counts one past the
 * record it could not parse (DuckDB 1.5, measured in engine-refusal.test.ts).
 */
export function refusedRecord(error: unknown, path: string): ({ value: number } & Refusal) | null {
  const message = (error as Error)?.message ?? String(error);
  const file = `in file "${path}", `;
  const named = message.indexOf(file);
  if (named === -1) return null;
  const match = /^(at byte \d+ )?in (?:record\/value|line) (\d+): ([^\n]*)/.exec(
    message.slice(named + file.length),
  );
  if (!match) return null;
  const said = (match[3] ?? '').trim();
  // `Object {"eventVersion":"1.09","eventTime":"2024-05-01T10:... has duplicate key`: the start it quotes.
  const quoted = /^Object (\{.*?)\.\.\. /.exec(said)?.[1] ?? null;
  const value = Number(match[2]) - (match[1] ? 1 : 0);
  return { value, reason: `refused by the embedded engine: ${said.slice(0, 300)}`, quoted };
}

/**
 * Whether a record's text holds what the engine quoted of it: the record's start, or the start of the
 * object inside it that it refuses (`Object {"type":"IAMUser","principalId":"AIDA...`). The engine
 * quotes the value as it writes it again, minified with its escapes decoded (`"\u0031"` becomes
 * `"1"`, `"\/"` becomes `"/"`), so both are compared with escapes decoded and space aside; true when
 * it quoted nothing.
 */
export function holdsQuoted(text: string, quoted: string | null): boolean {
  if (quoted === null) return true;
  // The quote is cut at a length: a character or escape it cut in two is left out.
  const start = looseJson(quoted.replace(/\uFFFD+$/, ''));
  return looseJson(text).includes(start);
}

const ESCAPED: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** JSON text with the escapes inside its strings decoded and all space removed; stops at an escape cut short. */
function looseJson(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (ch === '"') inString = !inString;
    if (ch !== '\\' || !inString) {
      out += ch;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) break;
    if (next === 'u') {
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) break;
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 5;
      continue;
    }
    // An escaped quote stays escaped: it does not end the string.
    out += next === '"' ? '\\"' : (ESCAPED[next] ?? next);
    i += 1;
  }
  return out.replace(/\s+/g, '');
}

/** Records one file may have refused before it is skipped whole: each costs a pass over the file. */
export const MAX_REFUSED_RECORDS = 20;
