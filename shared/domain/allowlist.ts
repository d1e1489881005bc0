import { InvalidRequestError } from '../errors.js';
import { globPattern } from '../util/glob.js';

/**
 * Known-good actors a deployment or a case declares, so hunts stay quiet on them: automation roles,
 * scanners, office ranges. Rows they match are not dropped silently: each hunt records how many
 * rows the allowlist suppressed, with a sample, and the reason.
 */
export interface Allowlist {
  /** Principal ARNs; `*` matches any run of characters (`arn:aws:sts::*:assumed-role/ci-deploy/*`). */
  principals?: string[];
  /** IPv4 addresses or CIDR ranges, or exact IPv6 addresses. */
  sourceIps?: string[];
  /** User agents; `*` as in principals. */
  userAgents?: string[];
  /** Entries that apply to one hunt only, by hunt id. */
  hunts?: Record<string, Omit<Allowlist, 'hunts'>>;
}

export function parseAllowlist(raw: unknown, origin: string): Allowlist {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new InvalidRequestError(`${origin}: the allowlist must be an object.`);
  const r = raw as Record<string, unknown>;
  const known = ['principals', 'sourceIps', 'userAgents', 'hunts'];
  const unknown = Object.keys(r).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new InvalidRequestError(`${origin}: unknown allowlist keys ${unknown.join(', ')}.`);
  const allowlist: Allowlist = {};
  for (const key of ['principals', 'sourceIps', 'userAgents'] as const) {
    if (r[key] === undefined) continue;
    const values = r[key];
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string' && v.length > 0)) {
      throw new InvalidRequestError(`${origin}: '${key}' must be a list of strings.`);
    }
    if (key === 'sourceIps') for (const v of values) parseRange(v, origin);
    allowlist[key] = values as string[];
  }
  if (r.hunts !== undefined) {
    if (typeof r.hunts !== 'object' || r.hunts === null)
      throw new InvalidRequestError(`${origin}: 'hunts' must map hunt ids.`);
    allowlist.hunts = Object.fromEntries(
      Object.entries(r.hunts).map(([id, entry]) => [id, parseAllowlist(entry, `${origin} (hunt ${id})`)]),
    );
  }
  return allowlist;
}

/** A deployment's list and a case's list together: a case can add known-good actors, never remove them. */
export function mergeAllowlists(...lists: Allowlist[]): Allowlist {
  const merged: Allowlist = {};
  for (const list of lists) {
    for (const key of ['principals', 'sourceIps', 'userAgents'] as const) {
      if (list[key]) merged[key] = [...(merged[key] ?? []), ...list[key]];
    }
    for (const [id, entry] of Object.entries(list.hunts ?? {})) {
      merged.hunts = { ...merged.hunts, [id]: mergeAllowlists(merged.hunts?.[id] ?? {}, entry) };
    }
  }
  return merged;
}

export type RowMatcher = (row: Record<string, string | null>) => string | null;

/** Returns, for a row, the allowlist entry it matches (as text for the record), or null. */
export function allowlistMatcher(allowlist: Allowlist, huntId: string): RowMatcher {
  const scoped = mergeAllowlists({ ...allowlist, hunts: {} }, allowlist.hunts?.[huntId] ?? {});
  const principals = (scoped.principals ?? []).map((p) => [p, globPattern(p)] as const);
  const agents = (scoped.userAgents ?? []).map((p) => [p, globPattern(p)] as const);
  const ranges = (scoped.sourceIps ?? []).map((p) => [p, parseRange(p, 'allowlist')] as const);
  return (row) => {
    const actor = row.actor ?? null;
    if (actor) for (const [text, pattern] of principals) if (pattern.test(actor)) return `principal ${text}`;
    const agent = row.user_agent ?? null;
    if (agent) for (const [text, pattern] of agents) if (pattern.test(agent)) return `user agent ${text}`;
    const ip = row.source_ip ?? null;
    if (ip) for (const [text, range] of ranges) if (range(ip)) return `source IP ${text}`;
    return null;
  };
}

function parseRange(text: string, origin: string): (ip: string) => boolean {
  if (text.includes(':')) return (ip) => ip.toLowerCase() === text.toLowerCase();
  const [address, bitsText] = text.split('/');
  const base = ipv4ToNumber(address ?? '');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (base === null || !Number.isInteger(bits) || bits < 0 || bits > 32) {
    throw new InvalidRequestError(`${origin}: '${text}' is not an IPv4 address or CIDR range.`);
  }
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ip) => {
    const value = ipv4ToNumber(ip);
    return value !== null && (value & mask) >>> 0 === (base & mask) >>> 0;
  };
}

/** Log IPs can be anything (`AWS Internal`, `lambda.amazonaws.com`, anonymised `211.9.016.253`). */
function ipv4ToNumber(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}
