import { gunzipSync } from 'node:zlib';

/**
 * CloudWatch Logs data as a responder receives it: the JSON that `aws logs filter-log-events` or
 * `get-log-events` prints, subscription payloads (`DATA_MESSAGE`), the `{"awslogs":{"data":...}}`
 * envelope a Lambda subscriber receives, or payloads concatenated back to back as Firehose writes them.
 */
export type CloudWatchDumpKind = 'log-events' | 'subscription';

export interface DumpedLogEvent {
  logGroup: string | null;
  logStream: string | null;
  timestamp: number;
  message: string;
}

export function detectCloudWatchDump(head: string): CloudWatchDumpKind | null {
  const text = head.trimStart();
  if (!text.startsWith('{')) return null;
  if (
    /^\{\s*"events"\s*:\s*\[/.test(text) &&
    (/"timestamp"\s*:\s*\d/.test(text) || /^\{\s*"events"\s*:\s*\[\s*\]/.test(text))
  ) {
    return 'log-events';
  }
  if (
    /"messageType"\s*:\s*"(DATA|CONTROL)_MESSAGE"/.test(text.slice(0, 4_096)) ||
    /^\{\s*"awslogs"\s*:\s*\{\s*"data"/.test(text)
  ) {
    return 'subscription';
  }
  return null;
}

/** The log group a dump names (subscription payloads do; CLI output does not). */
export function dumpedLogGroup(head: string): string | null {
  return /"logGroup"\s*:\s*"((?:[^"\\]|\\.)+)"/.exec(head.slice(0, 4_096))?.[1] ?? null;
}

/** Every event of a dump file's text; throws with a precise reason when the text is not one. */
export function parseCloudWatchDump(text: string): DumpedLogEvent[] {
  const events: DumpedLogEvent[] = [];
  for (const document of splitConcatenatedJson(text)) events.push(...eventsOf(document));
  return events;
}

function eventsOf(document: unknown): DumpedLogEvent[] {
  const d = document as Record<string, unknown>;
  if (d && typeof d.awslogs === 'object' && d.awslogs !== null) {
    const data = (d.awslogs as { data?: unknown }).data;
    if (typeof data !== 'string') throw new Error('awslogs envelope without data');
    return eventsOf(JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')));
  }
  if (d?.messageType === 'CONTROL_MESSAGE') return [];
  if (d?.messageType === 'DATA_MESSAGE') {
    return list(d.logEvents, 'logEvents').map((e) => event(e, str(d.logGroup), str(d.logStream)));
  }
  if (Array.isArray(d?.events)) return d.events.map((e) => event(e, null, null));
  throw new Error('not CloudWatch Logs data (no events, logEvents or awslogs)');
}

function event(raw: unknown, logGroup: string | null, logStream: string | null): DumpedLogEvent {
  const e = raw as Record<string, unknown>;
  if (typeof e?.timestamp !== 'number' || typeof e.message !== 'string') {
    throw new Error('a log event without a numeric timestamp and a message');
  }
  return {
    logGroup,
    logStream: str(e.logStreamName) ?? logStream,
    timestamp: e.timestamp,
    message: e.message,
  };
}

function list(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`'${name}' is not a list`);
  return value;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** JSON documents back to back (`{...}{...}`), as Firehose delivers subscription payloads. */
export function splitConcatenatedJson(text: string): unknown[] {
  const documents: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (ch === '}' || ch === ']') {
      depth -= 1;
      if (depth === 0) documents.push(JSON.parse(text.slice(start, i + 1)));
      if (depth < 0) throw new Error(`unbalanced JSON at character ${i}`);
    } else if (depth === 0 && !/\s/.test(ch ?? '')) {
      throw new Error(`unexpected '${ch}' between JSON documents at character ${i}`);
    }
  }
  if (depth !== 0) throw new Error('truncated JSON: the last document never closes');
  return documents;
}
