import {
  type DeliverySource,
  DescribeSubscriptionFiltersCommand,
  paginateDescribeDeliveries,
  paginateDescribeDeliveryDestinations,
  paginateDescribeDeliverySources,
} from '@aws-sdk/client-cloudwatch-logs';
import type { LogGroupExport } from '../../domain/log-exports.js';
import type { AccountScope } from './account-scope.js';
import { allPages, attempt } from './api-failures.js';
import { type InventoryService, inParallel, listed } from './findings.js';

/**
 * The vended-log delivery sources of a region (CloudFront standard logs v2 and the other services
 * CloudWatch Logs delivers for), asked once for every service that checks them.
 */
export function regionDeliverySources(
  scope: AccountScope,
  region: string,
  notes: string[],
): Promise<DeliverySource[] | undefined> {
  return scope.once(`delivery-sources/${region}`, () =>
    attempt(notes, `CloudWatch Logs DescribeDeliverySources in ${region}`, () =>
      allPages(
        paginateDescribeDeliverySources({ client: scope.client('cloudWatchLogs', region) }, {}),
        (page) => page.deliverySources,
      ),
    ),
  );
}

/**
 * Vended logs CloudWatch Logs delivers for other services (DescribeDeliverySources,
 * DescribeDeliveries, DescribeDeliveryDestinations): each delivery is noted with what it delivers
 * and where, so a responder knows those logs exist; their layouts are not read as tables.
 */
export const logDeliveriesInventory: InventoryService = {
  id: 'log-deliveries',
  iamActions: [
    'logs:DescribeDeliverySources',
    'logs:DescribeDeliveries',
    'logs:DescribeDeliveryDestinations',
  ],
  async run(scope, found) {
    await inParallel(scope.regions, found, async (region, regional) => {
      const sources = await regionDeliverySources(scope, region, regional.notes);
      if (!sources || sources.length === 0) return;
      const client = scope.client('cloudWatchLogs', region);
      const deliveries = await attempt(
        regional.notes,
        `CloudWatch Logs DescribeDeliveries in ${region}`,
        () => allPages(paginateDescribeDeliveries({ client }, {}), (page) => page.deliveries),
      );
      if (!deliveries) return;
      const destinations =
        (await attempt(regional.notes, `CloudWatch Logs DescribeDeliveryDestinations in ${region}`, () =>
          allPages(paginateDescribeDeliveryDestinations({ client }, {}), (page) => page.deliveryDestinations),
        )) ?? [];
      for (const delivery of deliveries) {
        const source = sources.find((s) => s.name === delivery.deliverySourceName);
        const destination = destinations.find((d) => d.arn === delivery.deliveryDestinationArn);
        const target =
          destination?.deliveryDestinationConfiguration?.destinationResourceArn ??
          delivery.deliveryDestinationArn;
        regional.notes.push(
          `CloudWatch Logs delivers ${source?.service ?? 'a service'}'s ${source?.logType ?? 'logs'} of ` +
            `${listed(source?.resourceArns ?? [delivery.deliverySourceName ?? '?'], 3)} to ` +
            `${delivery.deliveryDestinationType ?? 'a destination'} ${target} (delivery ${delivery.id} in ${region}); ` +
            'these vended logs are not read as a table.',
        );
      }
    });
  },
};

export const logSubscriptionsIamActions = ['logs:DescribeSubscriptionFilters'] as const;

/**
 * Groups chosen for export that also stream elsewhere (a SIEM, a Firehose stream, another account):
 * a copy of their events may be kept there, longer than the group's own retention.
 */
export async function noteSubscriptions(
  scope: AccountScope,
  exports: LogGroupExport[],
  notes: string[],
): Promise<void> {
  for (const item of exports) {
    if (!item.region) continue;
    const client = scope.client('cloudWatchLogs', item.region);
    const answer = await attempt(
      notes,
      `CloudWatch Logs DescribeSubscriptionFilters for ${item.logGroup} in ${item.region}`,
      () => client.send(new DescribeSubscriptionFiltersCommand({ logGroupName: item.logGroup })),
    );
    for (const filter of answer?.subscriptionFilters ?? []) {
      const pattern = filter.filterPattern ? `pattern '${filter.filterPattern}'` : 'every event';
      notes.push(
        `Log group ${item.logGroup} in ${item.region} also streams ${pattern} to ${filter.destinationArn} ` +
          `(subscription filter ${filter.filterName}): a copy may be kept there beyond the group's retention.`,
      );
    }
  }
}
