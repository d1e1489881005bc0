import { iso } from './clock.js';
import { type ApiCall, compact, type JsonObject } from './cloudtrail-record.js';
import { BASE64, ID_ALPHABET, itemAt, type Rng, stableId } from './seeded-random.js';

// Who makes the calls: accounts, IAM users and roles, their sessions, and the actors a record names.

export interface Account {
  id: string;
  alias: string;
  /** Where its trail delivers: an account trail, or the organisation trail of the management account. */
  logPrefix: string;
}

export interface IamUser {
  account: Account;
  name: string;
  userId: string;
  accessKeyId: string;
}

export interface IamRole {
  account: Account;
  name: string;
  roleId: string;
  path: string;
}

export interface Actor {
  identity: JsonObject;
  ip: string;
  userAgent: string;
  /** An AWS service made the call on the principal's behalf: no TLS session of the caller's. */
  viaService?: boolean;
  console?: boolean;
}

export interface RoleSession {
  role: IamRole;
  name: string;
  accessKeyId: string;
  createdAt: number;
  mfa?: boolean;
  ec2?: boolean;
  webIdentityProvider?: string;
}

export function iamUser(account: Account, name: string, accessKeyId?: string): IamUser {
  return {
    account,
    name,
    userId: stableId('AIDA', `${account.id}/user/${name}`, 17),
    accessKeyId: accessKeyId ?? stableId('AKIA', `${account.id}/key/${name}`, 16),
  };
}

export function iamRole(account: Account, name: string, path = ''): IamRole {
  return { account, name, path, roleId: stableId('AROA', `${account.id}/role/${name}`, 17) };
}

export function serviceLinkedRole(account: Account, service: string, name: string): IamRole {
  return iamRole(account, name, `aws-service-role/${service}/`);
}

export const userArn = (user: IamUser) => `arn:aws:iam::${user.account.id}:user/${user.name}`;
export const roleArn = (role: IamRole) => `arn:aws:iam::${role.account.id}:role/${role.path}${role.name}`;
export const roleResource = (role: IamRole): JsonObject => ({
  accountId: role.account.id,
  type: 'AWS::IAM::Role',
  ARN: roleArn(role),
});

export function iamUserIdentity(user: IamUser, withKey: boolean): JsonObject {
  return compact({
    type: 'IAMUser',
    principalId: user.userId,
    arn: userArn(user),
    accountId: user.account.id,
    accessKeyId: withKey ? user.accessKeyId : undefined,
    userName: user.name,
  });
}

export function keyActor(user: IamUser, ip: string, userAgent: string): Actor {
  return { identity: iamUserIdentity(user, true), ip, userAgent };
}

export function consoleActor(
  user: IamUser,
  accessKeyId: string,
  signedInAt: number,
  mfa: boolean,
  ip: string,
  userAgent: string,
): Actor {
  return {
    identity: {
      ...iamUserIdentity(user, false),
      accessKeyId,
      sessionContext: {
        sessionIssuer: {},
        webIdFederationData: {},
        attributes: { creationDate: iso(signedInAt), mfaAuthenticated: String(mfa) },
      },
    },
    ip,
    userAgent,
    console: true,
  };
}

export function roleSession(rng: Rng, role: IamRole, name: string, createdAt: number): RoleSession {
  return { role, name, accessKeyId: sessionKey(rng), createdAt };
}

const assumedRoleId = ({ role, name }: RoleSession) => `${role.roleId}:${name}`;
const assumedRoleArn = ({ role, name }: RoleSession) =>
  `arn:aws:sts::${role.account.id}:assumed-role/${role.name}/${name}`;

export function roleActor(session: RoleSession, ip: string, userAgent: string): Actor {
  const { role } = session;
  return {
    identity: {
      type: 'AssumedRole',
      principalId: assumedRoleId(session),
      arn: assumedRoleArn(session),
      accountId: role.account.id,
      accessKeyId: session.accessKeyId,
      sessionContext: compact({
        sessionIssuer: {
          type: 'Role',
          principalId: role.roleId,
          arn: roleArn(role),
          accountId: role.account.id,
          userName: role.name,
        },
        webIdFederationData: session.webIdentityProvider
          ? { federatedProvider: session.webIdentityProvider, attributes: {} }
          : {},
        attributes: { creationDate: iso(session.createdAt), mfaAuthenticated: String(session.mfa ?? false) },
        ec2RoleDelivery: session.ec2 ? '2.0' : undefined,
      }),
    },
    ip,
    userAgent,
  };
}

/** The same principal, but the call was made for it by an AWS service (Secrets Manager, CloudFormation...). */
export function onBehalfOf(actor: Actor, service: string): Actor {
  return {
    identity: { ...actor.identity, invokedBy: service },
    ip: service,
    userAgent: service,
    viaService: true,
  };
}

function serviceActor(service: string): Actor {
  return {
    identity: { type: 'AWSService', invokedBy: service },
    ip: service,
    userAgent: service,
    viaService: true,
  };
}

export function assumeRoleResponse(rng: Rng, session: RoleSession, lifetime: number): JsonObject {
  return {
    credentials: {
      accessKeyId: session.accessKeyId,
      sessionToken: `IQoJb3JpZ2luX2Vj${rng.chars(BASE64, 180)}`,
      expiration: stsDate(session.createdAt + lifetime),
    },
    assumedRoleUser: { assumedRoleId: assumedRoleId(session), arn: assumedRoleArn(session) },
  };
}

/** An AWS service takes a role for work of its own: EC2 for an instance, Lambda for a function, Config... */
export function serviceAssumesRole(
  rng: Rng,
  session: RoleSession,
  region: string,
  service: string,
  lifetime: number,
): ApiCall {
  const { role } = session;
  return {
    at: session.createdAt,
    account: role.account,
    region,
    service: 'sts',
    name: 'AssumeRole',
    actor: serviceActor(service),
    request: { roleArn: roleArn(role), roleSessionName: session.name },
    response: assumeRoleResponse(rng, session, lifetime),
    resources: [roleResource(role)],
  };
}

export function sessionKey(rng: Rng): string {
  return `ASIA${rng.chars(ID_ALPHABET, 16)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clock12(at: number): string {
  const d = new Date(at);
  const hours = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${hours % 12 || 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** IAM's createDate style: `Mar 11, 2025 2:52:31 AM`. */
export function iamDate(at: number): string {
  const d = new Date(at);
  return `${itemAt(MONTHS, d.getUTCMonth())} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${clock12(at)}`;
}

/** STS's expiration style: `Mar 11, 2025, 3:52:31 AM`. */
export function stsDate(at: number): string {
  const d = new Date(at);
  return `${itemAt(MONTHS, d.getUTCMonth())} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${clock12(at)}`;
}
