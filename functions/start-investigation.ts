import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  type InvestigationStarter,
  investigationStarterFromEnvironment,
} from '../shared/aws/investigation-starter.js';

/** POST /investigations: validates the request and starts the investigation's state machine. */
export const createHandler = (starter: () => InvestigationStarter) =>
  middy(async (event: APIGatewayProxyEventV2) => starter().handle(event));

let starter: InvestigationStarter | undefined;

export const handler = createHandler(() => {
  starter ??= investigationStarterFromEnvironment();
  return starter;
});
