import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { handleApiRequest, type InvestigationsApiDeps } from '../shared/api/investigations-api.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import { apiRequestOf, investigationsApiFromEnvironment } from '../shared/aws/investigations-api-adapters.js';

/** The routes of api/openapi.yaml: POST /investigations and the GETs that read a case. */
export const createHandler = (deps: () => InvestigationsApiDeps) =>
  middy(async (event: APIGatewayProxyEventV2) => handleApiRequest(apiRequestOf(event), deps()));

let deps: InvestigationsApiDeps | undefined;

export const handler = createHandler(() => {
  deps ??= investigationsApiFromEnvironment();
  return deps;
}).use(caseLogging());
