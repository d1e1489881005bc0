import { z } from 'zod';
import { InvalidRequestError } from '../errors.js';
import type { InvestigationRequest } from './case.js';
import { GLOBAL_EVENTS_REGION } from './case-scope.js';
import { type Iocs, type IocType, isIocValue } from './iocs.js';

/**
 * A GuardDuty finding opens an investigation scoped from what the finding names. Field names follow
 * the GuardDuty API's Finding, Resource, Service and Action objects, which the "GuardDuty Finding"
 * EventBridge event carries as its `detail`:
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Finding.html
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Action.html
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-guardduty.html
 */

const remoteIp = z
  .object({ ipAddressV4: z.string().optional(), ipAddressV6: z.string().optional() })
  .passthrough()
  .optional();

export const guardDutyFindingSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'a GuardDuty finding id is letters and digits'),
    accountId: z.string().regex(/^\d{12}$/),
    region: z.string().min(1),
    type: z.string().min(1),
    severity: z.number().min(0).max(10),
    updatedAt: z.string().min(1),
    createdAt: z.string().optional(),
    title: z.string().optional(),
    resource: z
      .object({
        resourceType: z.string().optional(),
        accessKeyDetails: z
          .object({
            accessKeyId: z.string().optional(),
            principalId: z.string().optional(),
            userName: z.string().optional(),
            userType: z.string().optional(),
          })
          .passthrough()
          .optional(),
        instanceDetails: z
          .object({
            instanceId: z.string().optional(),
            networkInterfaces: z
              .array(z.object({ publicIp: z.string().optional() }).passthrough())
              .optional(),
          })
          .passthrough()
          .optional(),
      })
      .passthrough()
      .default({}),
    service: z
      .object({
        eventFirstSeen: z.string().optional(),
        eventLastSeen: z.string().optional(),
        action: z
          .object({
            awsApiCallAction: z
              .object({
                remoteIpDetails: remoteIp,
                userAgent: z.string().optional(),
                domainDetails: z.object({ domain: z.string().optional() }).passthrough().optional(),
              })
              .passthrough()
              .optional(),
            networkConnectionAction: z.object({ remoteIpDetails: remoteIp }).passthrough().optional(),
            portProbeAction: z
              .object({
                portProbeDetails: z.array(z.object({ remoteIpDetails: remoteIp }).passthrough()).optional(),
              })
              .passthrough()
              .optional(),
            dnsRequestAction: z.object({ domain: z.string().optional() }).passthrough().optional(),
            kubernetesApiCallAction: z
              .object({
                remoteIpDetails: remoteIp,
                sourceIPs: z.array(z.string()).optional(),
                userAgent: z.string().optional(),
              })
              .passthrough()
              .optional(),
            rdsLoginAttemptAction: z.object({ remoteIpDetails: remoteIp }).passthrough().optional(),
          })
          .passthrough()
          .optional(),
      })
      .passthrough()
      .default({}),
  })
  .passthrough();

export type GuardDutyFinding = z.infer<typeof guardDutyFindingSchema>;

export interface FindingScopeOptions {
  /** Hours of logs read before the finding's first occurrence: the intrusion starts before detection. */
  lookbackHours: number;
  /** Hours after the last occurrence, for what the actor did next. */
  afterHours: number;
  now: Date;
}

export const defaultFindingScope = { lookbackHours: 72, afterHours: 6 } as const;

/** The investigation a finding asks for, and what identifies this version of the finding. */
export interface FindingInvestigation {
  findingId: string;
  updatedAt: string;
  severity: number;
  request: InvestigationRequest & { accounts: string[]; regions: string[] };
}

export function parseGuardDutyFinding(detail: unknown): GuardDutyFinding {
  const parsed = guardDutyFindingSchema.safeParse(detail);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidRequestError(
      `Not a GuardDuty finding: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`,
    );
  }
  return parsed.data;
}

/**
 * One case per finding: the case id is the finding's id, so the same finding (GuardDuty re-publishes
 * updates of an active finding) never opens a second case.
 */
export function caseIdForFinding(findingId: string): string {
  return `guardduty-${findingId}`.slice(0, 80);
}

export function investigationFromFinding(
  finding: GuardDutyFinding,
  options: FindingScopeOptions,
): FindingInvestigation {
  const first =
    instant(finding.service.eventFirstSeen) ?? instant(finding.createdAt) ?? instant(finding.updatedAt);
  const last = instant(finding.service.eventLastSeen) ?? instant(finding.updatedAt) ?? first;
  if (first === null || last === null) {
    throw new InvalidRequestError(`Finding ${finding.id} has no usable timestamp.`);
  }
  const hour = 3_600_000;
  const from = new Date(first - options.lookbackHours * hour);
  const to = new Date(Math.min(last + options.afterHours * hour, options.now.getTime()));
  return {
    findingId: finding.id,
    updatedAt: finding.updatedAt,
    severity: finding.severity,
    request: {
      caseId: caseIdForFinding(finding.id),
      from: from.toISOString(),
      to: (to < from ? from : to).toISOString(),
      accounts: [finding.accountId],
      // The finding's region, and us-east-1, where CloudTrail records the IAM and STS calls behind
      // most credential findings wherever they were made (see GLOBAL_EVENTS_REGION).
      regions: [...new Set([finding.region, GLOBAL_EVENTS_REGION])],
      iocs: indicatorsOf(finding),
      requestedBy: 'guardduty',
      findingUpdatedAt: finding.updatedAt,
      reason:
        `GuardDuty finding ${finding.type} (severity ${finding.severity}) ${finding.id}: ${finding.title ?? ''}`.trim(),
    },
  };
}

function instant(value: string | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** The finding's indicators, in the shapes `parseIocs` accepts; anything else is left out, not guessed. */
export function indicatorsOf(finding: GuardDutyFinding): Iocs {
  const action = finding.service.action ?? {};
  const key = finding.resource.accessKeyDetails;
  const ips = [
    action.awsApiCallAction?.remoteIpDetails,
    action.networkConnectionAction?.remoteIpDetails,
    action.kubernetesApiCallAction?.remoteIpDetails,
    action.rdsLoginAttemptAction?.remoteIpDetails,
    ...(action.portProbeAction?.portProbeDetails ?? []).map((d) => d.remoteIpDetails),
  ].flatMap((r) => [r?.ipAddressV4, r?.ipAddressV6]);
  ips.push(...(action.kubernetesApiCallAction?.sourceIPs ?? []));
  const iocs: Iocs = {
    // GuardDuty names the credential used: an access key (AKIA) or a session key (ASIA), never a role or user id.
    accessKeyIds: keep('accessKeyIds', [key?.accessKeyId]).filter((k) => /^(AKIA|ASIA)/.test(k)),
    principalArns: keep('principalArns', [principalArn(finding.accountId, key?.userType, key?.userName)]),
    ips: keep('ips', ips),
    instanceIds: keep('instanceIds', [finding.resource.instanceDetails?.instanceId]),
    userAgents: keep('userAgents', [
      action.awsApiCallAction?.userAgent,
      action.kubernetesApiCallAction?.userAgent,
    ]),
    domains: keep('domains', [
      action.dnsRequestAction?.domain,
      action.awsApiCallAction?.domainDetails?.domain,
    ]),
  };
  return Object.fromEntries(Object.entries(iocs).filter(([, values]) => values.length > 0));
}

/** GuardDuty names the user, not its ARN; the ARN follows IAM's documented forms for users and roles. */
function principalArn(account: string, userType?: string, userName?: string): string | undefined {
  if (userType === 'Root') return `arn:aws:iam::${account}:root`;
  if (!userName || !/^[\w+=,.@-]{1,128}$/.test(userName)) return undefined;
  if (userType === 'IAMUser') return `arn:aws:iam::${account}:user/${userName}`;
  if (userType === 'AssumedRole' || userType === 'Role') return `arn:aws:iam::${account}:role/${userName}`;
  return undefined;
}

/** The values an investigation request accepts for the type (the same check as `parseIocs`), once each. */
function keep(type: IocType, values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && isIocValue(type, v)))];
}

/**
 * The finding in a saved document: an EventBridge "GuardDuty Finding" event, a bare finding, or the
 * output of `aws guardduty get-findings` (`{ "Findings": [ ... ] }`, exactly one finding).
 */
export function findingFromDocument(document: unknown): GuardDutyFinding {
  const doc = (document ?? {}) as Record<string, unknown>;
  if (doc['detail-type'] === 'GuardDuty Finding') return parseGuardDutyFinding(doc.detail);
  if (Array.isArray(doc.Findings)) {
    if (doc.Findings.length !== 1) {
      throw new InvalidRequestError(
        `The file holds ${doc.Findings.length} findings; save the one to investigate (one case per finding).`,
      );
    }
    return parseGuardDutyFinding(camelCased(doc.Findings[0]));
  }
  return parseGuardDutyFinding(doc);
}

/** The CLI's get-findings output capitalises every key (`AccountId`); the API's JSON does not. */
function camelCased(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCased);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), camelCased(v)]),
  );
}
