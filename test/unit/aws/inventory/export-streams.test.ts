import { describe, expect, it } from 'vitest';
import { StreamFamilies } from '../../../../shared/aws/inventory/export-streams.js';

const prefix = 'cases/case-1/exports/group/';
const task = '6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9';

/** The families of keys handed over one at a time, as a listing's pages hand them. */
function familiesOf(keys: string[]) {
  const families = new StreamFamilies(prefix);
  for (const key of keys) families.add(key);
  return families.list();
}

describe('stream families of an export', () => {
  // https://docs.aws.amazon.com/eks/latest/userguide/api-server-flags.html: a stream per component and server.
  it('groups the streams of an EKS cluster by component, however many servers wrote them', () => {
    const keys = [
      `${prefix}${task}/kube-apiserver-audit-5c1e8f2a9b7d4e3f5c1e8f2a9b7d4e3f/000000.gz`,
      `${prefix}${task}/kube-apiserver-audit-5c1e8f2a9b7d4e3f5c1e8f2a9b7d4e3f/000001.gz`,
      `${prefix}${task}/kube-apiserver-audit-9b7d4e3f5c1e8f2a9b7d4e3f5c1e8f2a/000000.gz`,
      `${prefix}${task}/kube-apiserver-2b7d4e3f5c1e8f2a9b7d4e3f5c1e8f2a/000000.gz`,
      `${prefix}${task}/authenticator-0d9e8f7a6b5c4d3e0d9e8f7a6b5c4d3e/000000.gz`,
    ];
    expect(familiesOf(keys).map(({ family, files, streams }) => [family, files, streams])).toEqual([
      ['authenticator-*', 1, 1],
      ['kube-apiserver-*', 1, 1],
      ['kube-apiserver-audit-*', 3, 2],
    ]);
  });

  it('makes one family of a Lambda group whose streams differ by day and id, keeping the slashes of their names', () => {
    const keys = ['2024/05/01', '2024/05/02', '2024/05/03'].map(
      (day, i) => `${prefix}${task}/${day}/[$LATEST]b81d4e0f2c6a4937a5e8d1f0c3b7a96${i}/000000.gz`,
    );
    // Listed in any order, the family samples its first key.
    expect(familiesOf([...keys].reverse())).toEqual([
      { family: '*/[$LATEST]*', firstKey: keys[0], files: 3, streams: 3 },
    ]);
  });
});
