import type { OpenItem } from './open-items.js';
import { refOf } from './open-items.js';
import { type StoryEvent, succeeded, textAt } from './story-event.js';

const HOUR_MS = 60 * 60 * 1000;

/**
 * The longest temporary credentials from this call can live: nothing deletes them, they expire.
 * - AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity: the role's maximum session duration, at
 *   most 12 hours (43,200 s); one hour when a role session assumes a role (role chaining)
 *   (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
 *   https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html,
 *   https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html).
 * - GetSessionToken, GetFederationToken: at most 129,600 s (36 hours); one hour for the root user
 *   (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html,
 *   https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html).
 * 36 hours is the longest any temporary credential lives
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html).
 */
export function longestLifetimeMs(event: StoryEvent): number | null {
  switch (event.eventName) {
    case 'AssumeRole':
      return event.identityType === 'AssumedRole' ? HOUR_MS : 12 * HOUR_MS;
    case 'AssumeRoleWithSAML':
    case 'AssumeRoleWithWebIdentity':
      return 12 * HOUR_MS;
    case 'GetSessionToken':
    case 'GetFederationToken':
      return event.identityType === 'Root' ? HOUR_MS : 36 * HOUR_MS;
    default:
      return null;
  }
}

/**
 * Temporary credentials the attacker minted (`byAttacker`) or used (`attackerKeys`) that could still be
 * valid when the logs end: minted less than their longest lifetime before it. They cannot be deleted,
 * only denied (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html).
 * Credentials that expired before the end of the logs are not items: nothing is left to close.
 */
export function stillValidCredentials(
  events: StoryEvent[],
  byAttacker: (event: StoryEvent) => boolean,
  attackerKeys: Set<string>,
  endOfLogs: string | null,
): OpenItem[] {
  const end = Date.parse(endOfLogs ?? '');
  if (Number.isNaN(end)) return [];
  const items = new Map<string, OpenItem>();
  for (const event of events) {
    const lifetime = longestLifetimeMs(event);
    const key = textAt(event.response, 'credentials', 'accessKeyId');
    if (!lifetime || !key || items.has(key) || !succeeded(event)) continue;
    if (!byAttacker(event) && !attackerKeys.has(key)) continue;
    const validUntil = Date.parse(event.time) + lifetime;
    if (!(validUntil > end)) continue;
    const role = textAt(event.request, 'roleArn');
    items.set(key, {
      kind: 'temporary credentials still valid',
      resource: `credentials/${key}`,
      account: event.account,
      region: event.region,
      opened: refOf(event),
      closed: null,
      outsideAccounts: [],
      note:
        `${event.eventName} credentials live at most ${lifetime / HOUR_MS} h: usable until ${new Date(validUntil).toISOString().replace('.000Z', 'Z')} at the latest, after the logs end (${endOfLogs}); ` +
        (role
          ? `deny the sessions of ${role} issued before now (revoke active sessions)`
          : 'deny the permissions of the principal that requested them'),
    });
  }
  return [...items.values()];
}
