import {
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
} from '@aws-sdk/client-config-service';
import { DescribeHubCommand } from '@aws-sdk/client-securityhub';
import { attempt, errorName } from './api-failures.js';
import { type InventoryService, inParallel } from './findings.js';

/** What DescribeHub answers in a region where Security Hub is not enabled. */
const NOT_SUBSCRIBED = new Set(['InvalidAccessException', 'ResourceNotFoundException']);

/**
 * Whether Security Hub is enabled in each region (DescribeHub), in one note: its findings are context
 * for the responder, not a table.
 */
export const securityHubInventory: InventoryService = {
  id: 'security-hub',
  iamActions: ['securityhub:DescribeHub'],
  async run(scope, found) {
    const states = new Map<string, string>();
    await inParallel(scope.regions, found, async (region, part) => {
      const what = `Security Hub DescribeHub in ${region}`;
      const state = await attempt(part.notes, what, async () => {
        const hub = await scope.client('securityHub', region).send(new DescribeHubCommand({}));
        return `${region}${hub.SubscribedAt ? ` (since ${hub.SubscribedAt})` : ''}`;
      }).catch((error: unknown) => {
        if (NOT_SUBSCRIBED.has(errorName(error))) return null;
        throw error;
      });
      if (state !== undefined) states.set(region, state ?? '');
    });
    if (states.size === 0) return;
    const enabled = scope.regions.flatMap((r) => (states.get(r) ? [states.get(r) as string] : []));
    const disabled = scope.regions.filter((r) => states.get(r) === '');
    found.notes.push(
      [
        enabled.length > 0
          ? `Security Hub is enabled in ${enabled.join(', ')}: its findings add context to the case`
          : '',
        disabled.length > 0 ? `Security Hub is not enabled in ${disabled.join(', ')}` : '',
      ]
        .filter((part) => part !== '')
        .join('; ')
        .concat('.'),
    );
  },
};

/**
 * AWS Config recorders of each region and whether they record (DescribeConfigurationRecorders and
 * DescribeConfigurationRecorderStatus), in one note: the configuration history of resources is
 * context for the responder, not a table.
 */
export const configInventory: InventoryService = {
  id: 'config',
  iamActions: ['config:DescribeConfigurationRecorders', 'config:DescribeConfigurationRecorderStatus'],
  async run(scope, found) {
    const states = new Map<string, string>();
    await inParallel(scope.regions, found, async (region, part) => {
      const client = scope.client('config', region);
      const recorders = await attempt(
        part.notes,
        `AWS Config DescribeConfigurationRecorders in ${region}`,
        () => client.send(new DescribeConfigurationRecordersCommand({})),
      );
      if (!recorders) return;
      if ((recorders.ConfigurationRecorders ?? []).length === 0) {
        states.set(region, `${region}: no recorder`);
        return;
      }
      const statuses = await attempt(
        part.notes,
        `AWS Config DescribeConfigurationRecorderStatus in ${region}`,
        () => client.send(new DescribeConfigurationRecorderStatusCommand({})),
      );
      const described = (recorders.ConfigurationRecorders ?? []).map((recorder) => {
        const status = statuses?.ConfigurationRecordersStatus?.find((s) => s.name === recorder.name);
        const what = recorder.recordingGroup?.allSupported
          ? 'all supported resource types'
          : 'selected resource types';
        if (!status) return `recorder ${recorder.name} of ${what} (status unknown)`;
        if (!status.recording) {
          const since = status.lastStopTime ? ` since ${status.lastStopTime.toISOString()}` : '';
          return `recorder ${recorder.name} stopped${since}`;
        }
        const failing =
          status.lastStatus === 'Failure' ? `, last delivery failed (${status.lastErrorCode})` : '';
        const since = status.lastStartTime ? ` since ${status.lastStartTime.toISOString()}` : '';
        return `recorder ${recorder.name} records ${what}${since}${failing}`;
      });
      states.set(region, `${region}: ${described.join(', ')}`);
    });
    if (states.size === 0) return;
    found.notes.push(
      `AWS Config ${scope.regions.flatMap((r) => (states.has(r) ? [states.get(r)] : [])).join('; ')}. ` +
        'Where it records, the configuration history of resources in the window can be read from Config.',
    );
  },
};
