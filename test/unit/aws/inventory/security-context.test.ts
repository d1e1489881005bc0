import {
  ConfigServiceClient,
  ConfigServiceServiceException,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
} from '@aws-sdk/client-config-service';
import {
  DescribeHubCommand,
  InvalidAccessException,
  SecurityHubClient,
  SecurityHubServiceException,
} from '@aws-sdk/client-securityhub';
import { describe, expect, it } from 'vitest';
import { configInventory, securityHubInventory } from '../../../../shared/aws/inventory/security-context.js';
import {
  ACCOUNT,
  accountScope,
  deniedMessage,
  expectDeclaredActions,
  regional,
  run,
  serviceError,
} from '../../../support/aws-inventory-kit.js';

describe('securityHubInventory', () => {
  it('says in one note where Security Hub is enabled and where not', async () => {
    const regions = ['us-east-1', 'eu-west-1', 'ap-south-1'];
    const hub = regional((region) => new SecurityHubClient({ region }), regions);
    hub
      .mock('us-east-1')
      .on(DescribeHubCommand)
      .resolves({
        HubArn: `arn:aws:securityhub:us-east-1:${ACCOUNT}:hub/default`,
        SubscribedAt: '2023-02-01T09:00:00.000Z',
        AutoEnableControls: true,
        ControlFindingGenerator: 'SECURITY_CONTROL',
      });
    hub
      .mock('eu-west-1')
      .on(DescribeHubCommand)
      .rejects(
        new InvalidAccessException({
          Message: `Account ${ACCOUNT} is not subscribed to AWS Security Hub`,
          Code: 'InvalidAccessException',
          message: `Account ${ACCOUNT} is not subscribed to AWS Security Hub`,
          $metadata: { httpStatusCode: 401 },
        }),
      );
    hub
      .mock('ap-south-1')
      .on(DescribeHubCommand)
      .rejects(
        serviceError(
          SecurityHubServiceException,
          'AccessDeniedException',
          deniedMessage('securityhub:DescribeHub'),
          403,
        ),
      );

    const found = await run(securityHubInventory, accountScope(regions, { securityHub: hub.factory }));

    expect(found.notes).toEqual([
      expect.stringMatching(/^Security Hub DescribeHub in ap-south-1 was denied/),
      'Security Hub is enabled in us-east-1 (since 2023-02-01T09:00:00.000Z): its findings add context to the case; ' +
        'Security Hub is not enabled in eu-west-1.',
    ]);
    expectDeclaredActions(securityHubInventory, ['securityhub', hub.calls()]);
  });
});

describe('configInventory', () => {
  it('says in one note which regions record configuration and which stopped or have no recorder', async () => {
    const regions = ['us-east-1', 'eu-west-1', 'ap-south-1', 'me-south-1'];
    const config = regional((region) => new ConfigServiceClient({ region }), regions);
    const recorder = (name: string, allSupported: boolean) => ({
      ConfigurationRecorders: [
        {
          arn: `arn:aws:config:us-east-1:${ACCOUNT}:configuration-recorder/${name}/abc`,
          name,
          roleARN: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
          recordingGroup: { allSupported, includeGlobalResourceTypes: allSupported, resourceTypes: [] },
        },
      ],
    });
    config.mock('us-east-1').on(DescribeConfigurationRecordersCommand).resolves(recorder('default', true));
    config
      .mock('us-east-1')
      .on(DescribeConfigurationRecorderStatusCommand)
      .resolves({
        ConfigurationRecordersStatus: [
          {
            name: 'default',
            lastStartTime: new Date('2023-03-01T00:00:00Z'),
            recording: true,
            lastStatus: 'Success',
            lastStatusChangeTime: new Date('2024-05-01T23:00:00Z'),
          },
        ],
      });
    config.mock('eu-west-1').on(DescribeConfigurationRecordersCommand).resolves(recorder('eu', false));
    config
      .mock('eu-west-1')
      .on(DescribeConfigurationRecorderStatusCommand)
      .resolves({
        ConfigurationRecordersStatus: [
          {
            name: 'eu',
            recording: false,
            lastStopTime: new Date('2024-05-01T03:12:00Z'),
            lastStatus: 'Success',
          },
        ],
      });
    config
      .mock('ap-south-1')
      .on(DescribeConfigurationRecordersCommand)
      .resolves({ ConfigurationRecorders: [] });
    config
      .mock('me-south-1')
      .on(DescribeConfigurationRecordersCommand)
      .rejects(
        serviceError(
          ConfigServiceServiceException,
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
        ),
      );

    const found = await run(configInventory, accountScope(regions, { config: config.factory }));

    expect(found.notes).toEqual([
      expect.stringMatching(
        /^AWS Config DescribeConfigurationRecorders in me-south-1 is not offered or not enabled/,
      ),
      'AWS Config us-east-1: recorder default records all supported resource types since 2023-03-01T00:00:00.000Z; ' +
        'eu-west-1: recorder eu stopped since 2024-05-01T03:12:00.000Z; ap-south-1: no recorder. ' +
        'Where it records, the configuration history of resources in the window can be read from Config.',
    ]);
    expectDeclaredActions(configInventory, ['config', config.calls()]);
  });
});
