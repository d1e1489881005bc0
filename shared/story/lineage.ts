import { type StoryEvent, succeeded, textAt, userKey, userKeyOfArn } from './story-event.js';

/**
 * Credential and session lineage: which credential minted which. Response shapes, as CloudTrail records
 * them (camelCase of the API's elements):
 * - AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity: `credentials.accessKeyId`,
 *   `assumedRoleUser.arn`, `sourceIdentity` (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
 *   https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html,
 *   https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html)
 * - GetSessionToken: `credentials.accessKeyId` (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html)
 * - GetFederationToken: `credentials.accessKeyId`, `federatedUser.arn`
 *   (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html)
 * - CreateAccessKey: `accessKey.accessKeyId`, `accessKey.userName` (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html)
 * - CreateUser: `user.arn`; CreateLoginProfile: `loginProfile.userName`
 *   (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html,
 *   https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateLoginProfile.html)
 * - ConsoleLogin has no credential in its response: the session's calls carry
 *   `sessionCredentialFromConsole` and the signed-in ARN, and are tied to the latest sign-in before them
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html).
 */
export const mintingEventNames = [
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity',
  'GetSessionToken',
  'GetFederationToken',
  'CreateAccessKey',
  'CreateUser',
  'CreateLoginProfile',
  'UpdateLoginProfile',
  'ConsoleLogin',
] as const;

/**
 * The mintings of temporary credentials: every role assumption by a workload or a service is one, so
 * they are most of the minting events and the story selects among them (see `usedMintingsSql`).
 */
export const temporaryCredentialEventNames = [
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity',
  'GetSessionToken',
  'GetFederationToken',
] as const satisfies readonly (typeof mintingEventNames)[number][];

/** One access key's use in the window, as the credential-usage query returns it. */
export interface CredentialUse {
  accessKeyId: string;
  actorArn: string | null;
  identityType: string | null;
  account: string;
  firstSeen: string;
  lastSeen: string;
  events: number;
  /** How many addresses, and one of them. */
  addresses: number;
  anAddress: string | null;
  fromConsole: boolean;
}

/** The event that minted a credential or created a principal, and who made it from where. */
export interface Minting {
  eventId: string;
  eventName: string;
  time: string;
  account: string;
  callerArn: string | null;
  callerKey: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  roleArn: string | null;
  sourceIdentity: string | null;
}

export interface CredentialNode {
  /** An access key id, or `console:<eventId>` for a console sign-in, or `user:<account>:user/<name>`. */
  id: string;
  kind: 'access key' | 'role session' | 'session token' | 'federation token' | 'console sign-in' | 'user';
  principal: string | null;
  mintedBy: Minting | null;
  /** The credential (or user) this one was obtained with; null when its origin is not in the logs. */
  parent: string | null;
  use: Omit<CredentialUse, 'accessKeyId' | 'actorArn' | 'identityType' | 'account'> | null;
}

export interface Lineage {
  nodes: CredentialNode[];
  /** Every used credential from its first credential in the logs to itself, in session order. */
  sessions: { credential: string; principal: string | null; chain: string[]; root: string }[];
}

/** Longer chains stop here (and the story says so): real role chains are a few hops long. */
export const MAX_CHAIN = 1_000;
/** A console session lasts at most 12 hours; a key first used later is not tied to that sign-in. */
const CONSOLE_SESSION_MS = 12 * 60 * 60 * 1000;

export function buildLineage(events: StoryEvent[], uses: CredentialUse[]): Lineage {
  const nodes = new Map<string, CredentialNode>();
  const add = (node: CredentialNode) => {
    if (!nodes.has(node.id)) nodes.set(node.id, node);
  };
  const signIns: { principal: string; time: string; id: string }[] = [];
  const passwordSetBy = new Map<string, string>();

  for (const event of [...events].sort((a, b) => a.time.localeCompare(b.time))) {
    if (!succeeded(event)) continue;
    const minting = mintingOf(event);
    const caller = callerOf(event);
    const credentialId = textAt(event.response, 'credentials', 'accessKeyId');
    switch (event.eventName) {
      case 'AssumeRole':
      case 'AssumeRoleWithSAML':
      case 'AssumeRoleWithWebIdentity':
      case 'GetSessionToken':
      case 'GetFederationToken':
        if (!credentialId) break;
        add({
          id: credentialId,
          kind: event.eventName.startsWith('AssumeRole')
            ? 'role session'
            : event.eventName === 'GetSessionToken'
              ? 'session token'
              : 'federation token',
          principal:
            textAt(event.response, 'assumedRoleUser', 'arn') ??
            textAt(event.response, 'federatedUser', 'arn') ??
            event.actorArn,
          mintedBy: minting,
          parent: caller,
          use: null,
        });
        break;
      case 'CreateUser': {
        const name = textAt(event.request, 'userName') ?? textAt(event.response, 'user', 'userName');
        if (name)
          add({
            id: `user:${userKey(event.account, name)}`,
            kind: 'user',
            principal: textAt(event.response, 'user', 'arn'),
            mintedBy: minting,
            parent: caller,
            use: null,
          });
        break;
      }
      case 'CreateAccessKey': {
        const keyId = textAt(event.response, 'accessKey', 'accessKeyId');
        const name = textAt(event.response, 'accessKey', 'userName') ?? textAt(event.request, 'userName');
        if (keyId)
          add({
            id: keyId,
            kind: 'access key',
            principal: name ? `arn:aws:iam::${event.account}:user/${name}` : event.actorArn,
            mintedBy: minting,
            parent: caller,
            use: null,
          });
        break;
      }
      case 'CreateLoginProfile':
      case 'UpdateLoginProfile': {
        const name = textAt(event.request, 'userName') ?? textAt(event.response, 'loginProfile', 'userName');
        if (name && caller) passwordSetBy.set(userKey(event.account, name), caller);
        break;
      }
      case 'ConsoleLogin': {
        const principal = event.actorArn ?? '';
        const id = `console:${event.eventId}`;
        const user = userKeyOfArn(principal);
        add({
          id,
          kind: 'console sign-in',
          principal,
          mintedBy: minting,
          parent:
            (user && passwordSetBy.get(user)) ?? (user && nodes.has(`user:${user}`) ? `user:${user}` : null),
          use: null,
        });
        signIns.push({ principal, time: event.time, id });
        break;
      }
    }
  }

  for (const use of mergeUses(uses)) {
    const known = nodes.get(use.accessKeyId);
    const { accessKeyId, actorArn, identityType, account, ...seen } = use;
    if (known) {
      known.use = seen;
      continue;
    }
    const signIn = use.fromConsole ? latestSignIn(signIns, actorArn, use.firstSeen) : undefined;
    const user = userKeyOfArn(actorArn);
    add({
      id: accessKeyId,
      kind: signIn ? 'console sign-in' : accessKeyId.startsWith('ASIA') ? 'role session' : 'access key',
      principal: actorArn,
      mintedBy: null,
      // A user's long-term key whose creation is not in the logs still belongs to the user the logs show created.
      parent: signIn?.id ?? (user && nodes.has(`user:${user}`) ? `user:${user}` : null),
      use: seen,
    });
  }

  const sessions = [...nodes.values()]
    .filter((n) => n.use)
    .sort((a, b) => (a.use?.firstSeen ?? '').localeCompare(b.use?.firstSeen ?? ''))
    .map((n) => {
      const chain = chainOf(n.id, nodes);
      return { credential: n.id, principal: n.principal, chain, root: chain[0] ?? n.id };
    });
  return { nodes: [...nodes.values()], sessions };
}

/** From the first credential in the logs to `id`: parents first. A cycle or `MAX_CHAIN` credentials stop the walk. */
export function chainOf(id: string, nodes: Map<string, CredentialNode>): string[] {
  const walked = new Set([id]);
  let current = nodes.get(id)?.parent ?? null;
  while (current && !walked.has(current) && walked.size < MAX_CHAIN) {
    walked.add(current);
    current = nodes.get(current)?.parent ?? null;
  }
  return [...walked].reverse();
}

/** The credential a call was made with: its access key, else the calling principal (a service, a SAML or web identity). */
function callerOf(event: StoryEvent): string | null {
  if (event.accessKeyId) return event.accessKeyId;
  const user = userKeyOfArn(event.actorArn);
  if (user) return `user:${user}`;
  return event.actorArn ?? textAt(event.request, 'principalArn') ?? null;
}

function mintingOf(event: StoryEvent): Minting {
  return {
    eventId: event.eventId,
    eventName: event.eventName,
    time: event.time,
    account: event.account,
    callerArn: event.actorArn,
    callerKey: event.accessKeyId,
    sourceIp: event.sourceIp,
    userAgent: event.userAgent,
    roleArn: textAt(event.request, 'roleArn'),
    sourceIdentity:
      textAt(event.response, 'sourceIdentity') ??
      textAt(event.request, 'sourceIdentity') ??
      event.sourceIdentity,
  };
}

function latestSignIn(
  signIns: { principal: string; time: string; id: string }[],
  arn: string | null,
  firstUse: string,
) {
  const before = signIns.filter(
    (s) =>
      s.principal === arn &&
      s.time <= firstUse &&
      Date.parse(firstUse) - Date.parse(s.time) <= CONSOLE_SESSION_MS,
  );
  return before.at(-1);
}

/**
 * One use per key: the usage query groups by key, principal, account and console flag, so a key seen
 * in two accounts (a cross-account call is recorded in both) comes as two rows.
 */
function mergeUses(uses: CredentialUse[]): CredentialUse[] {
  const byKey = new Map<string, CredentialUse>();
  for (const use of uses) {
    const known = byKey.get(use.accessKeyId);
    if (!known) {
      byKey.set(use.accessKeyId, { ...use });
      continue;
    }
    known.events += use.events;
    known.addresses = Math.max(known.addresses, use.addresses);
    if (use.firstSeen < known.firstSeen) known.firstSeen = use.firstSeen;
    if (use.lastSeen > known.lastSeen) known.lastSeen = use.lastSeen;
    known.fromConsole ||= use.fromConsole;
  }
  return [...byKey.values()];
}
