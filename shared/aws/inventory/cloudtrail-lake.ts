import { GetEventDataStoreCommand, paginateListEventDataStores } from '@aws-sdk/client-cloudtrail';
import type { AccountScope } from './account-scope.js';
import { allPages, attempt } from './api-failures.js';
import { type InventoryService, inParallel } from './findings.js';

/**
 * CloudTrail Lake event data stores (ListEventDataStores, GetEventDataStore) in notes: a federated
 * store can be queried from Athena beside the case tables; any other still holds events the trails
 * may not (a trail stopped, a bucket emptied) and is queried with CloudTrail Lake SQL.
 */
export const cloudTrailLakeInventory: InventoryService = {
  id: 'cloudtrail-lake',
  iamActions: ['cloudtrail:ListEventDataStores', 'cloudtrail:GetEventDataStore'],
  async run(scope, found) {
    const byRegion = new Map<string, string[]>();
    await inParallel(scope.regions, found, async (region, part) => {
      const client = scope.client('cloudTrail', region);
      const stores = await attempt(part.notes, `CloudTrail ListEventDataStores in ${region}`, () =>
        allPages(paginateListEventDataStores({ client }, {}), (page) => page.EventDataStores),
      );
      byRegion.set(
        region,
        (stores ?? []).flatMap((s) => (s.EventDataStoreArn ? [s.EventDataStoreArn] : [])),
      );
    });
    // A multi-region or organisation store may be listed in more than one region.
    const seen = new Set<string>();
    for (const region of scope.regions) {
      for (const arn of byRegion.get(region) ?? []) {
        if (seen.has(arn)) continue;
        seen.add(arn);
        const note = await describeStore(scope, region, arn, found.notes);
        if (note) found.notes.push(note);
      }
    }
  },
};

async function describeStore(
  scope: AccountScope,
  region: string,
  arn: string,
  notes: string[],
): Promise<string | undefined> {
  const store = await attempt(notes, `CloudTrail GetEventDataStore ${arn}`, () =>
    scope.client('cloudTrail', region).send(new GetEventDataStoreCommand({ EventDataStore: arn })),
  );
  if (!store) return undefined;
  const id = arn.slice(arn.lastIndexOf('/') + 1);
  const facts = [
    store.Status,
    store.RetentionPeriod !== undefined ? `retention ${store.RetentionPeriod} days` : undefined,
    store.MultiRegionEnabled ? 'multi-region' : undefined,
    store.OrganizationEnabled ? 'organisation' : undefined,
  ].filter((fact): fact is string => fact !== undefined);
  const name = `CloudTrail Lake event data store ${store.Name ?? id} (${region}${facts.length > 0 ? `, ${facts.join(', ')}` : ''})`;
  if (store.FederationStatus === 'ENABLED') {
    return (
      `${name} is federated to Athena: its events can be queried there as table "${id}" of the Glue ` +
      `database "aws:cloudtrail"${store.FederationRoleArn ? ` (federation role ${store.FederationRoleArn})` : ''}.`
    );
  }
  return (
    `${name} is not federated to Athena (federation ${store.FederationStatus ?? 'DISABLED'}): its events can be ` +
    'queried with CloudTrail Lake SQL, or from Athena once Lake query federation is enabled.'
  );
}
