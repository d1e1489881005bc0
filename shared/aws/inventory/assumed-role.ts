import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentials, CredentialsProvider } from './account-scope.js';

/** Credentials are renewed this long before they expire, so no call is signed with stale ones. */
const RENEW_BEFORE_MS = 5 * 60_000;
const SESSION_SECONDS = 3600;

/**
 * Credentials of a role in another account, from STS AssumeRole with the function's own
 * credentials: asked on first use, shared by every client of that account, renewed before they
 * expire. A failed AssumeRole is not kept, so the next call asks again.
 */
export function assumedRoleCredentials(
  sts: STSClient,
  roleArn: string,
  sessionName: string,
  now: () => Date = () => new Date(),
): CredentialsProvider {
  let current: Promise<AwsCredentials> | undefined;
  let renewAt = Number.POSITIVE_INFINITY;
  const assume = async (): Promise<AwsCredentials> => {
    const answer = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: SESSION_SECONDS,
      }),
    );
    const credentials = answer.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new Error(`STS AssumeRole for ${roleArn} returned no credentials.`);
    }
    const expiration = credentials.Expiration ?? new Date(now().getTime() + SESSION_SECONDS * 1000);
    renewAt = expiration.getTime() - RENEW_BEFORE_MS;
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
      expiration,
    };
  };
  return () => {
    if (!current || now().getTime() >= renewAt) {
      renewAt = Number.POSITIVE_INFINITY;
      current = assume().catch((error: unknown) => {
        current = undefined;
        throw error;
      });
    }
    return current;
  };
}

/**
 * The session name shows in the other account's CloudTrail as the actor: `casefile-<caseId>` ties
 * the inventory's reads to the case. STS allows 2 to 64 of `\w+=,.@-`.
 */
export function inventorySessionName(caseId: string): string {
  return `casefile-${caseId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}
