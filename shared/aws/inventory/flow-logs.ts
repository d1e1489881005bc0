import { type FlowLog, paginateDescribeFlowLogs } from '@aws-sdk/client-ec2';
import type { SourceLocation } from '../../domain/inventory.js';
import { DEFAULT_FLOW_LOG_FIELDS } from '../../sources/vpcflow-source.js';
import { allPages, attempt } from './api-failures.js';
import { logGroupOfArn, s3FolderOfArn, s3Uri } from './arns.js';
import { counted, type Findings, type InventoryService, inParallel, listed } from './findings.js';
import { regionVpcs, vpcLabel } from './vpcs.js';

const DEFAULT_FORMAT = DEFAULT_FLOW_LOG_FIELDS.map((field) => `\${${field}}`).join(' ');

/** One S3 folder and file format that flow logs of this account deliver to. */
interface S3Delivery {
  uri: string;
  logFormat: string;
  fileFormat: string;
  hiveCompatible: boolean;
  perHour: boolean;
  regions: Set<string>;
  flowLogs: FlowLog[];
}

/**
 * VPC flow logs (EC2 DescribeFlowLogs): S3 destinations become `vpcflow` locations, one per folder
 * and record format; CloudWatch Logs destinations become export candidates; Firehose destinations
 * are noted. A VPC without a VPC-wide flow log, or one recording only accepted or rejected traffic,
 * is a coverage gap of its region.
 */
export const flowLogsInventory: InventoryService = {
  id: 'flow-logs',
  iamActions: ['ec2:DescribeFlowLogs', 'ec2:DescribeVpcs'],
  async run(scope, found) {
    const account = await scope.accountId(found.notes);
    const s3ByRegion = new Map<string, FlowLog[]>();
    await inParallel(scope.regions, found, async (region, regional) => {
      const client = scope.client('ec2', region);
      const flowLogs = await attempt(regional.notes, `EC2 DescribeFlowLogs in ${region}`, () =>
        allPages(paginateDescribeFlowLogs({ client }, {}), (page) => page.FlowLogs),
      );
      if (!flowLogs) return;
      s3ByRegion.set(region, describeDeliveries(flowLogs, region, regional));
      const vpcs = await regionVpcs(scope, region, regional.notes);
      if (vpcs) noteUncoveredVpcs(vpcs, flowLogs, region, regional);
    });
    const deliveries = new Map<string, S3Delivery>();
    for (const region of scope.regions) {
      for (const flowLog of s3ByRegion.get(region) ?? []) addS3Delivery(deliveries, flowLog, region);
    }
    found.sources.push(...[...deliveries.values()].map((d) => s3Location(d, account)));
  },
};

/** Notes and export candidates for every flow log of a region; the ones delivering to S3 are returned. */
function describeDeliveries(flowLogs: FlowLog[], region: string, found: Findings): FlowLog[] {
  const toS3: FlowLog[] = [];
  for (const flowLog of flowLogs) {
    const name = `flow log ${flowLog.FlowLogId} (${flowLog.ResourceId})`;
    if (flowLog.DeliverLogsStatus === 'FAILED') {
      found.notes.push(
        `The ${name} in ${region} fails to deliver (${flowLog.DeliverLogsErrorMessage ?? 'no reason given'}): ` +
          'records since the failure may be missing.',
      );
    }
    if (flowLog.TrafficType && flowLog.TrafficType !== 'ALL') {
      found.gaps.push({
        source: 'vpcflow',
        region,
        reason: `${name} in ${region} records only ${flowLog.TrafficType} traffic`,
      });
    }
    const destination = flowLog.LogDestination ?? '';
    switch (flowLog.LogDestinationType) {
      case 's3':
        if (s3FolderOfArn(destination)) toS3.push(flowLog);
        else found.notes.push(`The ${name} in ${region} names no S3 bucket it delivers to (${destination}).`);
        break;
      case 'kinesis-data-firehose':
        found.notes.push(
          `The ${name} in ${region} delivers to the Firehose stream ${destination}: where the stream puts ` +
            'the records is not inventoried.',
        );
        break;
      default: {
        const group = flowLog.LogGroupName ?? logGroupOfArn(destination)?.name;
        if (!group) break;
        // Without a header line only the default format can be read, so a custom one is not worth
        // the account's single export slot.
        if (fieldsOf(flowLog.LogFormat).join(' ') !== DEFAULT_FLOW_LOG_FIELDS.join(' ')) {
          found.notes.push(
            `The ${name} in ${region} writes a custom format to log group ${group}, which is not exported: ` +
              'CloudWatch Logs keeps no header line, and only default-format records are recognised without one.',
          );
          break;
        }
        found.logGroups.push({
          logGroup: group,
          region: logGroupOfArn(destination)?.region ?? region,
          source: 'vpcflow',
          writer: name,
        });
      }
    }
  }
  return toS3;
}

/** A VPC is covered by a flow log on the VPC itself; subnet and interface flow logs cover parts. */
function noteUncoveredVpcs(
  vpcs: { VpcId?: string }[],
  flowLogs: FlowLog[],
  region: string,
  found: Findings,
): void {
  const logged = new Set(flowLogs.map((f) => f.ResourceId));
  const uncovered = vpcs.filter((vpc) => vpc.VpcId && !logged.has(vpc.VpcId));
  if (uncovered.length === 0) return;
  const partial = flowLogs.filter((f) => !f.ResourceId?.startsWith('vpc-')).length;
  const parts =
    partial > 0 ? ` (${counted(partial, 'subnet or interface flow log')} in the region may cover parts)` : '';
  const labels = uncovered.map(vpcLabel);
  found.gaps.push({
    source: 'vpcflow',
    region,
    reason:
      uncovered.length === 1
        ? `${labels[0]} in ${region} has no flow log${parts}`
        : `${uncovered.length} VPCs in ${region} have no flow log: ${listed(labels)}${parts}`,
  });
}

function addS3Delivery(deliveries: Map<string, S3Delivery>, flowLog: FlowLog, region: string): void {
  const folder = s3FolderOfArn(flowLog.LogDestination ?? '');
  if (!folder) return;
  const uri = s3Uri(folder);
  const logFormat = flowLog.LogFormat ?? DEFAULT_FORMAT;
  const fileFormat = flowLog.DestinationOptions?.FileFormat ?? 'plain-text';
  const hiveCompatible = flowLog.DestinationOptions?.HiveCompatiblePartitions === true;
  const perHour = flowLog.DestinationOptions?.PerHourPartition === true;
  const key = JSON.stringify([uri, logFormat, fileFormat, hiveCompatible, perHour]);
  let delivery = deliveries.get(key);
  if (!delivery) {
    delivery = { uri, logFormat, fileFormat, hiveCompatible, perHour, regions: new Set(), flowLogs: [] };
    deliveries.set(key, delivery);
  }
  delivery.regions.add(region);
  delivery.flowLogs.push(flowLog);
}

/**
 * `details.layout` is what the vpcflow detector would name a file of this format (`text:<fields>` or
 * `parquet`), so a table can be made without sampling a file.
 */
function s3Location(delivery: S3Delivery, account: string | undefined): SourceLocation {
  const parquet = delivery.fileFormat === 'parquet';
  const trafficTypes = [...new Set(delivery.flowLogs.map((f) => f.TrafficType ?? 'ALL'))].sort();
  return {
    source: 'vpcflow',
    location: delivery.uri,
    ...(account ? { accounts: [account] } : {}),
    regions: [...delivery.regions].sort(),
    details: {
      flowLogs: listed(delivery.flowLogs.map((f) => f.FlowLogId ?? '?')),
      resources: listed(delivery.flowLogs.map((f) => f.ResourceId ?? '?')),
      logFormat: delivery.logFormat,
      fileFormat: delivery.fileFormat,
      layout: parquet ? 'parquet' : `text:${fieldsOf(delivery.logFormat).join(',')}`,
      trafficTypes: trafficTypes.join(', '),
      hiveCompatiblePartitions: delivery.hiveCompatible,
      perHourPartition: delivery.perHour,
      ...(delivery.hiveCompatible
        ? {
            coverage:
              `flow logs in ${delivery.uri} use Hive-compatible folders (aws-account-id=.../aws-region=...), ` +
              'which the vpcflow table, reading AWSLogs/<account>/vpcflowlogs/<region>/, does not project',
          }
        : {}),
    },
  };
}

/** `${version} ${account-id} ...` → `['version', 'account-id', ...]`; the default format when absent. */
function fieldsOf(logFormat: string | undefined): string[] {
  if (!logFormat) return DEFAULT_FLOW_LOG_FIELDS;
  return [...logFormat.matchAll(/\$\{([a-z0-9-]+)\}/g)].map((match) => match[1] as string);
}
