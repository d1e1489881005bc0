import type { Closure } from './closure.js';
import type { CredentialUse } from './lineage.js';
import { type StoryEvent, succeeded, textAt, trailName } from './story-event.js';

/**
 * Persistence and exposure the attacker left, and whether a later event undid it. Request shapes as
 * CloudTrail records them: ModifySnapshotAttribute `createVolumePermission.add.items[].userId`
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySnapshotAttribute.html),
 * ModifyImageAttribute `launchPermission.add.items[]`, ModifyDBSnapshotAttribute `valuesToAdd`
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBSnapshotAttribute.html),
 * GuardDuty UpdateDetector `enable`, CloudTrail StopLogging `name` (a trail name or ARN,
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html). A batch call
 * succeeds as a whole while listing items it could not process (DeleteFlowLogs `unsuccessful`,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteFlowLogs.html): such an item was not changed.
 */
export interface EventRef {
  /** Null for what no single event shows (a stolen key's first use by the attacker). */
  eventId: string | null;
  eventName: string;
  time: string;
  actor: string | null;
  sourceIp: string | null;
}

export interface OpenItem {
  kind: string;
  /** `account/region/resource`: two events touch the same thing only when these match. */
  resource: string;
  account: string;
  region: string;
  opened: EventRef;
  closed: EventRef | null;
  outsideAccounts: string[];
  note?: string;
}

interface Opening {
  kind: string;
  resource: string;
  outsideAccounts?: string[];
  /** Global (IAM) resources are matched in any region. */
  global?: boolean;
}

/** The event names the open items are built from: openers and what undoes them. */
export const exposureEventNames = [
  'CreateUser',
  'DeleteUser',
  'CreateAccessKey',
  'DeleteAccessKey',
  'UpdateAccessKey',
  'CreateLoginProfile',
  'DeleteLoginProfile',
  'AttachUserPolicy',
  'DetachUserPolicy',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'UpdateAssumeRolePolicy',
  'CreateRole',
  'UpdateLoginProfile',
  'AddUserToGroup',
  'RemoveUserFromGroup',
  'PutUserPolicy',
  'DeleteUserPolicy',
  'PutRolePolicy',
  'DeleteRolePolicy',
  'AuthorizeSecurityGroupIngress',
  'RevokeSecurityGroupIngress',
  'DeleteSecurityGroup',
  'DeleteRole',
  'ModifySnapshotAttribute',
  'ResetSnapshotAttribute',
  'DeleteSnapshot',
  'ModifyImageAttribute',
  'ResetImageAttribute',
  'DeregisterImage',
  'ModifyDBSnapshotAttribute',
  'DeleteDBSnapshot',
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'DeleteBucketPublicAccessBlock',
  'PutBucketPublicAccessBlock',
  'PutBucketAcl',
  'StopLogging',
  'StartLogging',
  'DeleteTrail',
  'CreateTrail',
  'UpdateDetector',
  'DeleteDetector',
  'CreateDetector',
  'DeleteFlowLogs',
  'CreateFlowLogs',
  'CreateResourceShare',
  'AssociateResourceShare',
  'DeleteResourceShare',
  'DisassociateResourceShare',
] as const;

/** What an event opens: a persistence or an exposure on one resource. */
export function openingOf(event: StoryEvent): Opening[] {
  const q = event.request;
  const user = textAt(q, 'userName');
  const bucket = textAt(q, 'bucketName');
  switch (event.eventName) {
    case 'CreateUser':
      return user ? [{ kind: 'IAM user', resource: `user/${user}`, global: true }] : [];
    case 'CreateAccessKey': {
      const key = textAt(event.response, 'accessKey', 'accessKeyId');
      return key ? [{ kind: 'access key', resource: `key/${key}`, global: true }] : [];
    }
    case 'CreateLoginProfile':
      return user ? [{ kind: 'console password', resource: `login/${user}`, global: true }] : [];
    case 'AttachUserPolicy':
      return user
        ? [
            {
              kind: 'policy on user',
              resource: `user-policy/${user}/${textAt(q, 'policyArn')}`,
              global: true,
            },
          ]
        : [];
    case 'AttachRolePolicy': {
      const role = textAt(q, 'roleName');
      return role
        ? [
            {
              kind: 'policy on role',
              resource: `role-policy/${role}/${textAt(q, 'policyArn')}`,
              global: true,
            },
          ]
        : [];
    }
    case 'CreateRole':
    case 'UpdateAssumeRolePolicy': {
      const role = textAt(q, 'roleName');
      const document = q.policyDocument ?? q.assumeRolePolicyDocument ?? '';
      const policy = typeof document === 'string' ? document : JSON.stringify(document);
      return role
        ? [
            {
              kind: event.eventName === 'CreateRole' ? 'role created' : 'role trust policy',
              resource: `trust/${role}`,
              outsideAccounts: accountsIn(policy, event.account),
              global: true,
            },
          ]
        : [];
    }
    case 'UpdateLoginProfile':
      return user ? [{ kind: 'console password changed', resource: `login/${user}`, global: true }] : [];
    case 'AddUserToGroup':
      return user
        ? [{ kind: 'user added to group', resource: `group/${textAt(q, 'groupName')}/${user}`, global: true }]
        : [];
    case 'PutUserPolicy':
    case 'PutRolePolicy': {
      const holder = user ?? textAt(q, 'roleName');
      return holder
        ? [{ kind: 'inline policy', resource: `inline/${holder}/${textAt(q, 'policyName')}`, global: true }]
        : [];
    }
    case 'AuthorizeSecurityGroupIngress':
      // A /0 range anywhere in the request: `cidrIp` at the top (the CLI's short form) or in
      // ipPermissions.items[].ipRanges.items[] (and ipv6Ranges ... cidrIpv6).
      return /"cidrIp(v6)?"\s*:\s*"[^"]*\/0"/.test(JSON.stringify(q))
        ? [{ kind: 'security group opened to the internet', resource: `sg/${textAt(q, 'groupId')}` }]
        : [];
    case 'ModifySnapshotAttribute':
      return sharing(
        event,
        'snapshot share',
        `snapshot/${textAt(q, 'snapshotId')}`,
        q.createVolumePermission,
        'add',
      );
    case 'ModifyImageAttribute':
      return sharing(event, 'image share', `image/${textAt(q, 'imageId')}`, q.launchPermission, 'add');
    case 'ModifyDBSnapshotAttribute': {
      const values = Array.isArray(q.valuesToAdd) ? q.valuesToAdd.map(String) : [];
      return values.length > 0
        ? [
            {
              kind: 'database snapshot share',
              resource: `db-snapshot/${textAt(q, 'dBSnapshotIdentifier')}`,
              outsideAccounts: values.filter((v) => v !== event.account),
            },
          ]
        : [];
    }
    case 'PutBucketPolicy': {
      const policy = JSON.stringify(q.bucketPolicy ?? q.policy ?? '');
      const isPublic = /"Principal"\s*:\s*("\*"|\{\s*"AWS"\s*:\s*"\*")/.test(policy);
      const outside = accountsIn(policy, event.account);
      return bucket && (isPublic || outside.length > 0)
        ? [
            {
              kind: isPublic ? 'public bucket policy' : 'bucket shared',
              resource: `bucket/${bucket}`,
              outsideAccounts: outside,
              global: true,
            },
          ]
        : [];
    }
    case 'DeleteBucketPublicAccessBlock':
      return bucket ? [{ kind: 'public access block removed', resource: `pab/${bucket}`, global: true }] : [];
    case 'PutBucketAcl':
      return bucket && /AllUsers|AuthenticatedUsers|public-read/.test(JSON.stringify(q))
        ? [{ kind: 'public bucket ACL', resource: `acl/${bucket}`, global: true }]
        : [];
    case 'StopLogging':
      return [{ kind: 'trail stopped', resource: `trail/${trailName(textAt(q, 'name'))}` }];
    case 'DeleteTrail':
      return [{ kind: 'trail deleted', resource: `trail-exists/${trailName(textAt(q, 'name'))}` }];
    case 'UpdateDetector':
      return q.enable === false
        ? [{ kind: 'GuardDuty detector disabled', resource: `detector/${textAt(q, 'detectorId')}` }]
        : [];
    case 'DeleteDetector':
      return [{ kind: 'GuardDuty detector deleted', resource: 'detector-exists' }];
    case 'DeleteFlowLogs':
      return flowLogIds(q)
        .filter((id) => !notProcessed(event, id))
        .map((id) => ({ kind: 'flow log deleted', resource: `flow-logs-exist/${id}` }));
    case 'CreateResourceShare':
    case 'AssociateResourceShare': {
      const principals = Array.isArray(q.principals) ? q.principals.map(String) : [];
      const share =
        textAt(q, 'resourceShareArn') ??
        textAt(event.response, 'resourceShare', 'resourceShareArn') ??
        textAt(q, 'name');
      return principals.length > 0
        ? [
            {
              kind: 'resource share',
              resource: `share/${share}`,
              outsideAccounts: principals.filter((p) => p !== event.account),
            },
          ]
        : [];
    }
    default:
      return [];
  }
}

/** The resources an event undoes (same naming as `openingOf`). */
export function closingOf(event: StoryEvent): string[] {
  const q = event.request;
  const user = textAt(q, 'userName');
  const bucket = textAt(q, 'bucketName');
  const role = textAt(q, 'roleName');
  switch (event.eventName) {
    case 'DeleteUser':
      return [`user/${user}`, `login/${user}`];
    case 'DeleteAccessKey':
      return [`key/${textAt(q, 'accessKeyId')}`];
    case 'UpdateAccessKey':
      return textAt(q, 'status') === 'Inactive' ? [`key/${textAt(q, 'accessKeyId')}`] : [];
    case 'DeleteLoginProfile':
      return [`login/${user}`];
    case 'DetachUserPolicy':
      return [`user-policy/${user}/${textAt(q, 'policyArn')}`];
    case 'DetachRolePolicy':
      return [`role-policy/${role}/${textAt(q, 'policyArn')}`];
    case 'UpdateAssumeRolePolicy':
    case 'DeleteRole':
      return [`trust/${role}`];
    case 'RemoveUserFromGroup':
      return [`group/${textAt(q, 'groupName')}/${user}`];
    case 'DeleteUserPolicy':
    case 'DeleteRolePolicy':
      return [`inline/${user ?? role}/${textAt(q, 'policyName')}`];
    case 'RevokeSecurityGroupIngress':
    case 'DeleteSecurityGroup':
      return [`sg/${textAt(q, 'groupId')}`];
    case 'ModifySnapshotAttribute':
      return sharing(
        event,
        '',
        `snapshot/${textAt(q, 'snapshotId')}`,
        q.createVolumePermission,
        'remove',
      ).map((o) => o.resource);
    case 'ResetSnapshotAttribute':
    case 'DeleteSnapshot':
      return [`snapshot/${textAt(q, 'snapshotId')}`];
    case 'ModifyImageAttribute':
      return sharing(event, '', `image/${textAt(q, 'imageId')}`, q.launchPermission, 'remove').map(
        (o) => o.resource,
      );
    case 'ResetImageAttribute':
    case 'DeregisterImage':
      return [`image/${textAt(q, 'imageId')}`];
    case 'ModifyDBSnapshotAttribute':
      return Array.isArray(q.valuesToRemove) && q.valuesToRemove.length > 0
        ? [`db-snapshot/${textAt(q, 'dBSnapshotIdentifier')}`]
        : [];
    case 'DeleteDBSnapshot':
      return [`db-snapshot/${textAt(q, 'dBSnapshotIdentifier')}`];
    case 'DeleteBucketPolicy':
    case 'PutBucketPolicy':
      return [`bucket/${bucket}`];
    case 'PutBucketPublicAccessBlock':
      return [`pab/${bucket}`];
    case 'PutBucketAcl':
      return [`acl/${bucket}`];
    case 'StartLogging':
      return [`trail/${trailName(textAt(q, 'name'))}`];
    case 'CreateTrail':
      return [`trail-exists/${trailName(textAt(q, 'name'))}`];
    case 'UpdateDetector':
      return q.enable === true ? [`detector/${textAt(q, 'detectorId')}`] : [];
    case 'CreateDetector':
      return ['detector-exists'];
    case 'CreateFlowLogs':
      return ['flow-logs-exist/*'];
    case 'DeleteResourceShare':
    case 'DisassociateResourceShare':
      return [`share/${textAt(q, 'resourceShareArn')}`];
    default:
      return [];
  }
}

/**
 * Every opening made by the attacker (`byAttacker`), paired with the first later event that undid it.
 * Open ones come first, oldest first.
 */
export function findOpenItems(events: StoryEvent[], byAttacker: (event: StoryEvent) => boolean): OpenItem[] {
  const ordered = [...events].filter(succeeded).sort((a, b) => a.time.localeCompare(b.time));
  const items: (OpenItem & { global: boolean })[] = [];
  // Items by account and resource, and by account and the resource's first segment (for `segment/*`
  // closings): a case of 10 million events has thousands of items and of closing events.
  const byResource = new Index<OpenItem & { global: boolean }>();
  const bySegment = new Index<OpenItem & { global: boolean }>();
  for (const event of ordered) {
    for (const resource of closingOf(event)) {
      const candidates = resource.endsWith('/*')
        ? bySegment
            .get(event.account, segmentOf(resource))
            .filter((item) => item.resource.startsWith(resource.slice(0, -1)))
        : byResource.get(event.account, resource);
      for (const item of candidates) {
        if (item.closed || item.opened.eventId === event.eventId) continue;
        if (!item.global && item.region !== event.region) continue;
        item.closed = refOf(event);
      }
    }
    if (!byAttacker(event)) continue;
    for (const opening of openingOf(event)) {
      const item = {
        kind: opening.kind,
        resource: opening.resource,
        account: event.account,
        region: event.region,
        opened: refOf(event),
        closed: null,
        outsideAccounts: opening.outsideAccounts ?? [],
        global: opening.global ?? false,
      };
      items.push(item);
      byResource.add(event.account, item.resource, item);
      bySegment.add(event.account, segmentOf(item.resource), item);
    }
  }
  const result = items.map(({ global: _global, ...item }) => item);
  return [...result.filter((i) => !i.closed), ...result.filter((i) => i.closed)];
}

const segmentOf = (resource: string) => resource.split('/', 1)[0] ?? '';

/** Values by account and key, in the order added. */
class Index<T> {
  private readonly entries = new Map<string, T[]>();

  add(account: string, key: string, value: T) {
    const id = JSON.stringify([account, key]);
    const list = this.entries.get(id);
    if (list) list.push(value);
    else this.entries.set(id, [value]);
  }

  get(account: string, key: string): T[] {
    return this.entries.get(JSON.stringify([account, key])) ?? [];
  }
}

export function refOf(event: StoryEvent): EventRef {
  return {
    eventId: event.eventId,
    eventName: event.eventName,
    time: event.time,
    actor: event.actorArn,
    sourceIp: event.sourceIp,
  };
}

function sharing(
  event: StoryEvent,
  kind: string,
  resource: string,
  permission: unknown,
  side: 'add' | 'remove',
): Opening[] {
  const items = (permission as Record<string, { items?: unknown }> | undefined)?.[side]?.items;
  if (!Array.isArray(items) || items.length === 0) return [];
  const accounts = items.map(
    (i) => textAt(i, 'userId') ?? (textAt(i, 'group') === 'all' ? 'everyone' : null),
  );
  return [
    { kind, resource, outsideAccounts: accounts.filter((a): a is string => !!a && a !== event.account) },
  ];
}

/** Twelve-digit account ids a policy names, other than the account's own. */
function accountsIn(text: string, own: string): string[] {
  return [...new Set([...text.matchAll(/(?<![0-9])(\d{12})(?![0-9])/g)].map((m) => m[1] as string))].filter(
    (a) => a !== own,
  );
}

function flowLogIds(request: Record<string, unknown>): string[] {
  return [...new Set([...JSON.stringify(request).matchAll(/fl-[0-9a-f]{8,17}/g)].map((m) => m[0]))];
}

/** Whether a batch call's `unsuccessful` list names the item: the call succeeded, that item did not. */
function notProcessed(event: StoryEvent, id: string): boolean {
  const text = JSON.stringify(event.response);
  const at = text.indexOf('"unsuccessful"');
  return at >= 0 && text.slice(at).includes(id);
}

/**
 * Long-term keys the attacker used but did not create (a stolen key): still usable unless a later
 * DeleteAccessKey or UpdateAccessKey (Inactive) names them. Keys the attacker created are already
 * items of their own (CreateAccessKey).
 */
export function stillUsableKeys(
  closure: Closure,
  uses: CredentialUse[],
  events: StoryEvent[],
  endOfLogs: string | null,
): OpenItem[] {
  const created = new Set(closure.indicators.filter((i) => i.origin === 'created').map((i) => i.value));
  const items: OpenItem[] = [];
  for (const key of closure.attacker.keys) {
    if (!/^AKIA/.test(key) || created.has(key)) continue;
    const phase = closure.rounds.flatMap((r) => r.phases).find((p) => p.indicator === `accessKey:${key}`);
    const use = uses.find((u) => u.accessKeyId === key);
    const closing = events
      .filter((e) => succeeded(e) && closingOf(e).includes(`key/${key}`))
      .sort((a, b) => a.time.localeCompare(b.time))[0];
    items.push({
      kind: 'stolen access key',
      resource: `key/${key}`,
      account: use?.account ?? '',
      region: '',
      opened: {
        eventId: null,
        eventName: 'first use by the attacker',
        time: phase?.attackerFirstSeen ?? use?.firstSeen ?? '',
        actor: use?.actorArn ?? null,
        sourceIp: null,
      },
      closed: closing ? refOf(closing) : null,
      outsideAccounts: [],
      note: use
        ? `last used ${use.lastSeen}${endOfLogs ? ` (the logs end ${endOfLogs})` : ''}; ${phase?.legitimateEvents ?? 0} of its calls are a legitimate workload's, so rotate it with that workload's owner`
        : undefined,
    });
  }
  return items;
}
