import { randomBytes } from 'node:crypto';
import type { DownloadLink, DownloadLinkRequest } from '../../api/investigations-api.js';
import type { EvidenceStore } from '../../ports/evidence-store.js';

/** Where `casefile serve` answers its own download links. */
export const DOWNLOADS_PATH = '/downloads/';

interface Issued extends DownloadLinkRequest {
  key: string;
  expiresAt: number;
}

export interface Download {
  body: Uint8Array;
  headers: Record<string, string>;
}

/**
 * `casefile serve`'s stand-in for presigned URLs: a link to one case file under an unguessable
 * token (256 random bits), valid until it expires, served by the same loopback server. The token is
 * the only credential, as a presigned URL's signature is; the server knows its tokens only while it
 * runs.
 */
export class LocalDownloadLinks {
  private readonly issued = new Map<string, Issued>();

  constructor(
    private readonly store: EvidenceStore,
    /** The server's own address, known once it listens. */
    private readonly baseUrl: () => string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  link(key: string, request: DownloadLinkRequest): DownloadLink {
    this.forgetExpired();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now().getTime() + request.expiresInSeconds * 1000;
    this.issued.set(token, { ...request, key, expiresAt });
    return {
      url: `${this.baseUrl()}${DOWNLOADS_PATH}${token}`,
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  /** The file a token names, or null when the token is unknown or expired (one answer for both). */
  async download(token: string): Promise<Download | null> {
    this.forgetExpired();
    const issued = this.issued.get(token);
    if (!issued) return null;
    return {
      body: await this.store.get(issued.key),
      headers: {
        'content-type': issued.contentType,
        'content-disposition': `attachment; filename="${issued.fileName}"`,
        'cache-control': 'no-store',
      },
    };
  }

  private forgetExpired(): void {
    const now = this.now().getTime();
    for (const [token, issued] of this.issued) if (issued.expiresAt <= now) this.issued.delete(token);
  }
}
