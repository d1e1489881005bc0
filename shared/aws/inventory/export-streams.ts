/**
 * An export of one log group can hold streams of different kinds: an EKS cluster's group has a
 * stream per control-plane component and API server (`kube-apiserver-audit-<id>`,
 * `kube-apiserver-<id>`, `authenticator-<id>`, `kube-controller-manager-<id>`,
 * `cloud-controller-manager-<id>`, `kube-scheduler-<id>`), so the first object says nothing about
 * the others. https://docs.aws.amazon.com/eks/latest/userguide/api-server-flags.html
 *
 * Each kind of stream is sampled once: streams whose names differ only in their ids (hex runs)
 * or dates are one family, so a Lambda group with thousands of streams costs one read.
 */
export interface StreamFamily {
  /** The family's name, its ids and dates written as a star: `kube-apiserver-audit-*`. */
  family: string;
  /** The keys of every object of the family's streams, in key order; the first is the one sampled. */
  keys: string[];
  streams: number;
}

/** Hex ids, and the date Lambda puts in front of each stream name (`2024/05/01/[$LATEST]<id>`). */
const ID = /[0-9a-f]{8,}|\d{4}\/\d{2}\/\d{2}/gi;

/**
 * Groups an export's object keys (`<prefix><task id>/<stream>/<n>.gz`, the stream name keeping its
 * slashes) by stream family. Keys not of that shape are their own family.
 */
export function streamFamilies(prefix: string, keys: string[]): StreamFamily[] {
  const families = new Map<string, { keys: string[]; streams: Set<string> }>();
  for (const key of keys) {
    const parts = key.slice(prefix.length).split('/');
    const stream = parts.length >= 3 ? parts.slice(1, -1).join('/') : key.slice(prefix.length);
    const family = stream.replace(ID, '*');
    const entry = families.get(family) ?? { keys: [], streams: new Set<string>() };
    entry.keys.push(key);
    entry.streams.add(stream);
    families.set(family, entry);
  }
  return [...families]
    .map(([family, { keys: familyKeys, streams }]) => ({
      family,
      keys: familyKeys.sort(),
      streams: streams.size,
    }))
    .sort((a, b) => a.family.localeCompare(b.family));
}
