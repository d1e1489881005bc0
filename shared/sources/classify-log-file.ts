import type { FileLayout } from '../domain/inventory.js';
import type { LogSourceId } from '../domain/log-sources.js';

export type Classification =
  | { kind: 'log'; source: LogSourceId; layout: FileLayout }
  | { kind: 'not-a-log'; reason: string };

/**
 * Decides what a file holds from its first decompressed bytes, never from its name: a dump handed
 * to a responder has files renamed, concatenated or moved out of their delivery layout.
 */
export function classifyLogFile(head: string): Classification {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text === '') return { kind: 'not-a-log', reason: 'empty file' };
  if (text.startsWith('{')) {
    if (/^\{\s*"Records"\s*:/.test(text)) {
      return looksLikeCloudTrailRecord(firstObjectAfter(text, '['))
        ? { kind: 'log', source: 'cloudtrail', layout: 'records-object' }
        : emptyOrUnknownRecords(text);
    }
    if (/"digestStartTime"\s*:/.test(text.slice(0, 2_000)) && /"digestPublicKeyFingerprint"/.test(text)) {
      return { kind: 'not-a-log', reason: 'CloudTrail digest file (integrity hashes, no events)' };
    }
    if (looksLikeCloudTrailRecord(text)) return { kind: 'log', source: 'cloudtrail', layout: 'json-lines' };
    return { kind: 'not-a-log', reason: `unknown JSON format (starts with ${preview(text)})` };
  }
  if (text.startsWith('[')) {
    if (/^\[\s*\]/.test(text)) return { kind: 'not-a-log', reason: 'empty JSON array (no records)' };
    if (looksLikeCloudTrailRecord(firstObjectAfter(text, '['))) {
      return { kind: 'log', source: 'cloudtrail', layout: 'json-array' };
    }
    return { kind: 'not-a-log', reason: `unknown JSON array format (starts with ${preview(text)})` };
  }
  return { kind: 'not-a-log', reason: `unknown format (starts with ${preview(text)})` };
}

function emptyOrUnknownRecords(text: string): Classification {
  if (/^\{\s*"Records"\s*:\s*\[\s*\]/.test(text)) {
    return { kind: 'not-a-log', reason: 'CloudTrail file with no records' };
  }
  return { kind: 'not-a-log', reason: `a "Records" list whose entries are not CloudTrail events` };
}

/** The text from the first `{` after the opening bracket: enough to see the first record's keys. */
function firstObjectAfter(text: string, opener: string): string {
  const start = text.indexOf('{', text.indexOf(opener) + 1);
  return start < 0 ? '' : text.slice(start);
}

/** A CloudTrail event names its API and service; Insights and digest files do not look like this. */
function looksLikeCloudTrailRecord(objectText: string): boolean {
  const window = objectText.slice(0, 16_384);
  return /"eventVersion"\s*:/.test(window) && /"eventSource"\s*:/.test(window) && /"eventName"\s*:/.test(window);
}

function preview(text: string): string {
  return JSON.stringify(text.slice(0, 40));
}
