import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DownloadLink, DownloadLinkRequest } from '../api/investigations-api.js';
import { InvalidRequestError } from '../errors.js';

/**
 * A SigV4 presigned URL lives at most 604,800 seconds (7 days).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html
 * https://docs.aws.amazon.com/cli/latest/reference/s3/presign.html ("Maximum is 604800 seconds")
 */
export const MAX_PRESIGNED_SECONDS = 604_800;

export interface S3DownloadLinksOptions {
  client?: S3Client;
  bucket: string;
  /** Where case folders start in the bucket (`cases/`). */
  prefix: string;
  now?: () => Date;
}

/**
 * Presigned GET URLs to case files. The URL acts with the signer's permissions, so it can reach no
 * more than the API function's role may read (the case bucket's `cases/*`), and a URL signed with
 * temporary credentials (a Lambda role's) stops working when they expire, even before its own expiry:
 * `expiresAt` is the earlier of the two when the credentials say when they end.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html
 * https://repost.aws/knowledge-center/presigned-url-s3-bucket-expiration
 */
export class S3DownloadLinks {
  private readonly client: S3Client;
  private readonly prefix: string;
  private readonly now: () => Date;

  constructor(private readonly options: S3DownloadLinksOptions) {
    this.client = options.client ?? new S3Client({});
    this.prefix =
      options.prefix === '' || options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
    this.now = options.now ?? (() => new Date());
  }

  async link(key: string, request: DownloadLinkRequest): Promise<DownloadLink> {
    const seconds = request.expiresInSeconds;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGNED_SECONDS) {
      throw new InvalidRequestError(
        `A presigned URL lives 1 to ${MAX_PRESIGNED_SECONDS} seconds, not ${seconds}.`,
      );
    }
    if (key.startsWith('/') || key.split('/').includes('..')) {
      throw new InvalidRequestError(`'${key}' is not a key inside the case folders.`);
    }
    const signedAt = this.now();
    const url = await getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.options.bucket,
        Key: `${this.prefix}${key}`,
        // S3 answers with these headers, so the browser saves the file under its name and type.
        ResponseContentDisposition: `attachment; filename="${request.fileName}"`,
        ResponseContentType: request.contentType,
      }),
      { expiresIn: seconds, signingDate: signedAt },
    );
    const credentials = await this.client.config.credentials();
    const asked = signedAt.getTime() + seconds * 1000;
    const ends = credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
    return { url, expiresAt: new Date(Math.min(asked, ends)).toISOString() };
  }
}
