import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/**
 * Rewrites a `{"Records":[...]}` file as one record per line, streaming, for files too large to be
 * read as one JSON object (DuckDB's object-size limit, V8's string limit): a responder's dump can be
 * one multi-gigabyte file. Raw line breaks can only be whitespace between tokens in JSON, so each
 * record's text becomes one line as it is. Returns how many records were written.
 */
export async function recordsToLines(source: string, target: string, compressed: boolean): Promise<number> {
  const input = createReadStream(source);
  const text = compressed ? input.pipe(createGunzip()) : input;
  text.setEncoding('utf8');
  const output = createWriteStream(target);
  const splitter = new RecordSplitter(output);
  for await (const chunk of text as AsyncIterable<string>) await splitter.feed(chunk);
  if (!splitter.finished) throw new Error('truncated JSON: the "Records" list never closes');
  output.end();
  await once(output, 'finish');
  return splitter.records;
}

/** Finds the `Records` list, then writes each top-level object of it as a line. */
class RecordSplitter {
  records = 0;
  finished = false;
  private prefix = '';
  private inList = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private partial: string[] = [];

  constructor(private readonly output: WriteStream) {}

  async feed(chunk: string): Promise<void> {
    if (this.finished) return;
    if (!this.inList) {
      this.prefix += chunk;
      const at = /"Records"\s*:\s*\[/.exec(this.prefix);
      if (!at) {
        if (this.prefix.length > 1_048_576) throw new Error('no "Records" list in the first MiB of the file');
        return;
      }
      this.inList = true;
      chunk = this.prefix.slice(at.index + at[0].length);
      this.prefix = '';
    }
    let start = this.depth > 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i += 1) {
      const ch = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
      } else if (ch === '"') {
        this.inString = true;
      } else if (ch === '{') {
        if (this.depth === 0) start = i;
        this.depth += 1;
      } else if (ch === '}') {
        this.depth -= 1;
        if (this.depth === 0) {
          this.partial.push(chunk.slice(start, i + 1));
          await this.write(`${this.partial.join('').replace(/[\r\n]+/g, ' ')}\n`);
          this.partial = [];
          start = -1;
        }
      } else if (ch === ']' && this.depth === 0) {
        this.finished = true;
        return;
      }
    }
    if (this.depth > 0 && start >= 0) this.partial.push(chunk.slice(start));
  }

  private async write(line: string): Promise<void> {
    this.records += 1;
    if (!this.output.write(line)) await once(this.output, 'drain');
  }
}
