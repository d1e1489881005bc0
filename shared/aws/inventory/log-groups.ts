import { type LogGroup, paginateDescribeLogGroups } from '@aws-sdk/client-cloudwatch-logs';
import { logGroupSourceByName } from '../../domain/coverage.js';
import { type LogGroupExport, retainedWindow } from '../../domain/log-exports.js';
import type { AccountScope } from './account-scope.js';
import { allPages, attempt } from './api-failures.js';
import { accountOfArn } from './arns.js';
import type { Findings, LogGroupCandidate } from './findings.js';

export const logGroupsIamActions = ['logs:DescribeLogGroups'] as const;

/**
 * CloudWatch-only logs worth having in an investigation, recognised by their group names: EKS
 * control plane, Lambda functions, and Route 53 public DNS query logs (`/aws/route53/<zone>`, which
 * go nowhere else). Each has a source that reads its export.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/query-logs.html
 */
export const EXPORTED_BY_NAME = [/^\/aws\/eks\/[^/]+\/cluster$/, /^\/aws\/lambda\/./, /^\/aws\/route53\/./];

/**
 * CloudWatch-only logs no source reads: exporting them would hold the account's single export slot
 * for files no table takes, so the case names them instead.
 */
const NOT_READ_BY_NAME: { pattern: RegExp; what: string }[] = [
  { pattern: /^API-Gateway-Execution-Logs_[^/]+\/./, what: 'API Gateway execution logs' },
];

export interface LogGroupSelection {
  /** The case window, both ends closed. */
  window: { from: string; to: string };
  now: Date;
  /** Groups chosen by name. */
  patterns: RegExp[];
  /** Groups services were found writing to (flow logs, Resolver, WAF, EKS): chosen too. */
  candidates: LogGroupCandidate[];
  /** The case bucket's region: groups elsewhere are noted, not exported. */
  exportRegion?: string;
  /** False when the export step cannot reach this account's groups: they are noted, not exported. */
  exportable: boolean;
}

type NamedGroup = LogGroup & { logGroupName: string };

/**
 * The CloudWatch Logs groups of each region worth exporting, each cut to the part of the case
 * window its retention still holds. A group whose retention has lost the whole window is a coverage
 * gap of its source (out of retention), and a note; so is a group a service writes to that does not
 * exist or holds nothing.
 */
export async function findLogGroupExports(
  scope: AccountScope,
  selection: LogGroupSelection,
  found: Pick<Findings, 'notes' | 'gaps'>,
): Promise<LogGroupExport[]> {
  const { notes } = found;
  const { window, now } = selection;
  const exports: LogGroupExport[] = [];
  for (const region of scope.regions) {
    const client = scope.client('cloudWatchLogs', region);
    const groups = await attempt(notes, `CloudWatch Logs DescribeLogGroups in ${region}`, () =>
      allPages(paginateDescribeLogGroups({ client }, {}), (page) => page.logGroups),
    );
    const candidates = selection.candidates.filter((c) => c.region === region);
    if (!groups) {
      for (const candidate of candidates) {
        notes.push(
          `Log group ${candidate.logGroup} in ${region} (written by ${candidate.writer}) is not exported: ` +
            'without DescribeLogGroups its existence and retention are unknown.',
        );
      }
      continue;
    }
    noteMissingCandidates(groups, candidates, region, notes);
    const named = new Set(candidates.map((c) => c.logGroup));
    noteUnreadGroups(groups, named, region, notes);
    const chosen = groups.filter(
      (group): group is NamedGroup =>
        group.logGroupName !== undefined &&
        group.storedBytes !== 0 &&
        (named.has(group.logGroupName) ||
          selection.patterns.some((pattern) => pattern.test(group.logGroupName as string))),
    );
    if (chosen.length === 0) continue;
    const names = chosen.map((g) => g.logGroupName);
    const some = `${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}`;
    if (!selection.exportable) {
      notes.push(
        `${names.length} log group(s) in ${region} are not exported (${some}): export tasks run with ` +
          "the case account's own credentials, which cannot read this account's groups.",
      );
      continue;
    }
    if (selection.exportRegion && region !== selection.exportRegion) {
      notes.push(
        `${names.length} log group(s) in ${region} are not exported (${some}): CloudWatch Logs exports only to ` +
          `a bucket in the same region, and the case bucket is in ${selection.exportRegion}.`,
      );
      continue;
    }
    for (const group of chosen) {
      if (group.creationTime !== undefined && group.creationTime > Date.parse(window.to)) continue;
      const retained = retainedWindow(window, group.retentionInDays ?? null, now);
      const source = candidates.find((c) => c.logGroup === group.logGroupName && c.source)?.source;
      if (!retained) {
        const reason =
          `Log group ${group.logGroupName} in ${region} keeps events for ${group.retentionInDays} days: ` +
          `nothing of the case window (${window.from} to ${window.to}) is left to export.`;
        notes.push(reason);
        // Events past a group's retention are marked for deletion and gone within about 72 hours
        // (https://docs.aws.amazon.com/goto/WebAPI/logs/PutRetentionPolicy): the source is out of retention.
        const expired = source ?? logGroupSourceByName(group.logGroupName);
        if (expired) found.gaps.push({ source: expired, region, reason, status: 'out-of-retention' });
        continue;
      }
      exports.push({
        logGroup: group.logGroupName,
        account: accountOfArn(group.logGroupArn ?? group.arn),
        region,
        ...retained,
        ...(source ? { source } : {}),
      });
    }
  }
  return exports.sort(
    (a, b) => (a.region ?? '').localeCompare(b.region ?? '') || a.logGroup.localeCompare(b.logGroup),
  );
}

function noteMissingCandidates(
  groups: LogGroup[],
  candidates: LogGroupCandidate[],
  region: string,
  notes: string[],
): void {
  const byName = new Map(groups.map((g) => [g.logGroupName, g]));
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (seen.has(candidate.logGroup)) continue;
    seen.add(candidate.logGroup);
    const writers = candidates.filter((c) => c.logGroup === candidate.logGroup).map((c) => c.writer);
    const group = byName.get(candidate.logGroup);
    if (!group) {
      notes.push(
        `Log group ${candidate.logGroup} in ${region}, written by ${writers.join(', ')}, does not exist: ` +
          'it was deleted, or nothing was ever delivered.',
      );
    } else if (group.storedBytes === 0) {
      notes.push(
        `Log group ${candidate.logGroup} in ${region}, written by ${writers.join(', ')}, holds no events.`,
      );
    }
  }
}

function noteUnreadGroups(groups: LogGroup[], named: Set<string>, region: string, notes: string[]): void {
  for (const { pattern, what } of NOT_READ_BY_NAME) {
    const names = groups
      .map((g) => g.logGroupName ?? '')
      .filter((name) => pattern.test(name) && !named.has(name));
    if (names.length === 0) continue;
    notes.push(
      `${names.length} log group(s) of ${what} in ${region} are not exported (${names.slice(0, 5).join(', ')}` +
        `${names.length > 5 ? ', ...' : ''}): casefile has no table for them, and an export would hold the ` +
        "account's one export slot for nothing.",
    );
  }
}
