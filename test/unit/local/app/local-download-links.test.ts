import { describe, expect, it } from 'vitest';
import { LocalDownloadLinks } from '../../../../shared/local/app/local-download-links.js';
import { MemoryEvidenceStore } from '../../../support/memory-evidence-store.js';

describe("casefile serve's own download links", () => {
  it('serves the file under its token until the link expires, then answers as for an unknown token', async () => {
    const store = new MemoryEvidenceStore();
    await store.put('c1/report.md', '# Case c1\n');
    let now = new Date('2024-05-01T10:00:00Z');
    const links = new LocalDownloadLinks(
      store,
      () => 'http://127.0.0.1:8470',
      () => now,
    );
    const link = links.link('c1/report.md', {
      expiresInSeconds: 60,
      fileName: 'c1-report.md',
      contentType: 'text/markdown; charset=utf-8',
    });
    expect(link.expiresAt).toBe('2024-05-01T10:01:00.000Z');
    const token = link.url.replace('http://127.0.0.1:8470/downloads/', '');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    now = new Date('2024-05-01T10:00:59Z');
    const served = await links.download(token);
    expect(new TextDecoder().decode(served?.body)).toBe('# Case c1\n');
    expect(served?.headers).toEqual({
      'content-type': 'text/markdown; charset=utf-8',
      'content-disposition': 'attachment; filename="c1-report.md"',
      'cache-control': 'no-store',
    });

    now = new Date('2024-05-01T10:01:00Z');
    expect(await links.download(token)).toBeNull();
    expect(await links.download('not-a-token')).toBeNull();
  });
});
