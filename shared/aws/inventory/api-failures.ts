import { TransientServiceError } from '../../errors.js';

/** Why a read-only call gave nothing: each becomes a note, never a failed inventory. */
export type Failure = 'denied' | 'unavailable' | 'missing';

const DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'AllAccessDisabled',
  'UnauthorizedOperation',
]);
/**
 * A region the account has not opted into, a service with no endpoint there, or (for S3) a bucket in
 * another region than the client's, when the client was not made to follow redirects. EC2 answers
 * `AuthFailure` and `OptInRequired` in a region that is not enabled.
 */
const UNAVAILABLE = new Set([
  'UnrecognizedClientException',
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'InvalidClientTokenId',
  'CloudTrailInvalidClientTokenIdException',
  'OptInRequired',
  'AuthFailure',
  'SubscriptionRequiredException',
  'UnsupportedOperationException',
  'OperationNotPermittedException',
  'EndpointError',
]);
const UNREACHABLE_ENDPOINT = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED']);
const MISSING = new Set(['TrailNotFoundException', 'NoSuchBucket']);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'SlowDown',
  'RequestLimitExceeded',
]);

export function classify(error: unknown): Failure | undefined {
  if (!(error instanceof Error)) return undefined;
  if (DENIED.has(error.name)) return 'denied';
  if (MISSING.has(error.name)) return 'missing';
  const code = (error as { code?: string }).code;
  const unreachable = code !== undefined && UNREACHABLE_ENDPOINT.has(code);
  return UNAVAILABLE.has(error.name) || unreachable ? 'unavailable' : undefined;
}

/** Throttling or a service fault that outlasted the SDK's retries is worth retrying the step for. */
export function asTransient(what: string, error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (THROTTLED.has(error.name) || status === 429 || (status !== undefined && status >= 500)) {
    return new TransientServiceError(`${what} failed after the SDK's retries: ${describe(error)}`, {
      cause: error,
    });
  }
  return error;
}

export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

/**
 * Runs one API call; a denied call or a region without the service becomes a note and `undefined`.
 * The SDK has already retried throttling; if that still fails, the step is retried as a whole.
 */
export async function attempt<T>(
  notes: string[],
  what: string,
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    const failure = classify(error);
    if (!failure) throw asTransient(what, error);
    const meaning =
      failure === 'denied'
        ? 'was denied'
        : failure === 'missing'
          ? 'found nothing'
          : 'is not offered or not enabled there';
    notes.push(`${what} ${meaning} (${describe(error)}); the inventory goes on without it.`);
    return undefined;
  }
}

/** Every item of every page of an SDK paginator. */
export async function allPages<P, T>(
  pages: AsyncIterable<P>,
  items: (page: P) => T[] | undefined,
): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...(items(page) ?? []));
  return all;
}
