import {
  DescribePublishingDestinationCommand,
  GetDetectorCommand,
  paginateListDetectors,
  paginateListPublishingDestinations,
} from '@aws-sdk/client-guardduty';
import type { AccountScope } from './account-scope.js';
import { allPages, attempt } from './api-failures.js';
import { s3FolderOfArn, s3Uri } from './arns.js';
import { type Findings, type InventoryService, inParallel, listed } from './findings.js';

/** One detector's export of findings to S3. */
interface Publishing {
  detectorId: string;
  region: string;
  uri: string;
  status: string;
  kmsKeyArn?: string;
}

/**
 * GuardDuty (ListDetectors, GetDetector, ListPublishingDestinations, DescribePublishingDestination):
 * the S3 buckets detectors export findings to become `guardduty` locations, with the KMS key they
 * are encrypted with. A region without a detector, a suspended detector, or one exporting nowhere
 * is a coverage gap: its findings live only in GuardDuty, for 90 days.
 */
export const guardDutyInventory: InventoryService = {
  id: 'guardduty',
  iamActions: [
    'guardduty:ListDetectors',
    'guardduty:GetDetector',
    'guardduty:ListPublishingDestinations',
    'guardduty:DescribePublishingDestination',
  ],
  async run(scope, found) {
    const account = await scope.accountId(found.notes);
    const byRegion = new Map<string, Publishing[]>();
    await inParallel(scope.regions, found, async (region, part) => {
      byRegion.set(region, await regionPublishing(scope, region, part));
    });
    const folders = new Map<string, Publishing[]>();
    for (const region of scope.regions) {
      for (const publishing of byRegion.get(region) ?? []) {
        folders.set(publishing.uri, [...(folders.get(publishing.uri) ?? []), publishing]);
      }
    }
    for (const [uri, publishing] of folders) {
      const keys = [...new Set(publishing.flatMap((p) => (p.kmsKeyArn ? [p.kmsKeyArn] : [])))];
      const failing = publishing.filter((p) => p.status !== 'PUBLISHING');
      found.sources.push({
        source: 'guardduty',
        location: uri,
        ...(account ? { accounts: [account] } : {}),
        regions: [...new Set(publishing.map((p) => p.region))].sort(),
        details: {
          detectors: listed(publishing.map((p) => `${p.detectorId} (${p.region})`)),
          ...(keys.length > 0 ? { kmsKeyArn: keys.join(', ') } : {}),
          ...(failing.length > 0
            ? {
                coverage: `GuardDuty does not publish to ${uri} from ${listed(
                  failing.map((p) => `${p.region} (${p.status})`),
                )}`,
              }
            : {}),
        },
      });
      if (keys.length > 0) {
        found.notes.push(
          `GuardDuty findings in ${uri} are encrypted with ${keys.join(', ')}: reading them needs kms:Decrypt on that key.`,
        );
      }
    }
  },
};

async function regionPublishing(scope: AccountScope, region: string, found: Findings): Promise<Publishing[]> {
  const client = scope.client('guardDuty', region);
  const detectors = await attempt(found.notes, `GuardDuty ListDetectors in ${region}`, () =>
    allPages(paginateListDetectors({ client }, {}), (page) => page.DetectorIds),
  );
  if (!detectors) return [];
  if (detectors.length === 0) {
    found.gaps.push({ source: 'guardduty', region, reason: `GuardDuty has no detector in ${region}` });
    return [];
  }
  const publishing: Publishing[] = [];
  for (const detectorId of detectors) {
    const detector = await attempt(found.notes, `GuardDuty GetDetector ${detectorId} in ${region}`, () =>
      client.send(new GetDetectorCommand({ DetectorId: detectorId })),
    );
    if (detector && detector.Status !== 'ENABLED') {
      found.gaps.push({
        source: 'guardduty',
        region,
        reason: `GuardDuty detector ${detectorId} in ${region} is ${detector.Status ?? 'not enabled'}${
          detector.UpdatedAt ? ` since ${detector.UpdatedAt}` : ''
        }`,
      });
    }
    const destinations = await attempt(
      found.notes,
      `GuardDuty ListPublishingDestinations for ${detectorId} in ${region}`,
      () =>
        allPages(
          paginateListPublishingDestinations({ client }, { DetectorId: detectorId }),
          (page) => page.Destinations,
        ),
    );
    if (!destinations) continue;
    const mine: Publishing[] = [];
    for (const destination of destinations) {
      if (destination.DestinationType !== 'S3' || !destination.DestinationId) continue;
      const described = await attempt(
        found.notes,
        `GuardDuty DescribePublishingDestination ${destination.DestinationId} in ${region}`,
        () =>
          client.send(
            new DescribePublishingDestinationCommand({
              DetectorId: detectorId,
              DestinationId: destination.DestinationId,
            }),
          ),
      );
      const folder = s3FolderOfArn(described?.DestinationProperties?.DestinationArn ?? '');
      if (!described || !folder) continue;
      const kmsKeyArn = described.DestinationProperties?.KmsKeyArn;
      mine.push({
        detectorId,
        region,
        uri: s3Uri(folder),
        status: described.Status ?? destination.Status ?? 'unknown',
        ...(kmsKeyArn ? { kmsKeyArn } : {}),
      });
    }
    if (destinations.length === 0) {
      found.gaps.push({
        source: 'guardduty',
        region,
        reason: `GuardDuty detector ${detectorId} in ${region} exports no findings to S3 (they stay in GuardDuty for 90 days)`,
      });
    }
    publishing.push(...mine);
  }
  return publishing;
}
