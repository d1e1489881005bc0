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
  /** The first key of the family's objects in key order: the one sampled. */
  firstKey: string;
  /** How many objects the family's streams hold. */
  files: number;
  streams: number;
}

/** Hex ids, and the date Lambda puts in front of each stream name (`2024/05/01/[$LATEST]<id>`). */
const ID = /[0-9a-f]{8,}|\d{4}\/\d{2}\/\d{2}/gi;

/**
 * Groups an export's object keys (`<prefix><task id>/<stream>/<n>.gz`, the stream name keeping its
 * slashes) by stream family as a listing hands them over, one at a time: an export of a busy group
 * is hundreds of thousands of objects, of which a family keeps its first key and counts. Keys not of
 * that shape are their own family.
 */
export class StreamFamilies {
  private readonly families = new Map<string, { firstKey: string; files: number; streams: Set<string> }>();

  constructor(private readonly prefix: string) {}

  add(key: string): void {
    const parts = key.slice(this.prefix.length).split('/');
    const stream = parts.length >= 3 ? parts.slice(1, -1).join('/') : key.slice(this.prefix.length);
    const family = stream.replace(ID, '*');
    const entry = this.families.get(family);
    if (!entry) {
      this.families.set(family, { firstKey: key, files: 1, streams: new Set([stream]) });
      return;
    }
    if (key < entry.firstKey) entry.firstKey = key;
    entry.files += 1;
    entry.streams.add(stream);
  }

  /** The families, by name. */
  list(): StreamFamily[] {
    return [...this.families]
      .map(([family, { firstKey, files, streams }]) => ({ family, firstKey, files, streams: streams.size }))
      .sort((a, b) => a.family.localeCompare(b.family));
  }
}
