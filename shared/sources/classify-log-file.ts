import type { FileLayout } from '../domain/inventory.js';
import type { LogSourceId } from '../domain/log-sources.js';
import { logSourceModules } from './registry.js';

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
  for (const source of logSourceModules) {
    const layout = source.detect(text);
    if (layout) return { kind: 'log', source: source.id, layout };
  }
  return { kind: 'not-a-log', reason: whyNotALog(text) };
}

/** Known files that hold no events get a precise reason; anything else shows how it starts. */
function whyNotALog(text: string): string {
  if (/"digestStartTime"\s*:/.test(text.slice(0, 4_000)) && /"digestPublicKeyFingerprint"/.test(text)) {
    return 'CloudTrail digest file (integrity hashes, no events)';
  }
  if (/^\{\s*"Records"\s*:\s*\[\s*\]/.test(text)) return 'CloudTrail file with no records';
  if (/^\[\s*\]/.test(text)) return 'empty JSON array (no records)';
  if (/^\{\s*"Records"\s*:/.test(text)) return 'a "Records" list whose entries are not CloudTrail events';
  const kind = text.startsWith('{') ? 'JSON ' : text.startsWith('[') ? 'JSON array ' : '';
  return `unknown ${kind}format (starts with ${JSON.stringify(text.slice(0, 40))})`;
}
