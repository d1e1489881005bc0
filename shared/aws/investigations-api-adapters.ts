import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ApiRequest, InvestigationsApiDeps } from '../api/investigations-api.js';
import { loadHuntLibrary } from '../hunts/hunt-library.js';
import { investigationStarterFromEnvironment } from './investigation-starter.js';
import { S3DownloadLinks } from './s3-download-links.js';
import { S3EvidenceStore } from './s3-evidence-store.js';

/**
 * The investigations API over AWS: Step Functions starts and describes executions (named after their
 * case), the case bucket holds the case folders, the hunt library is bundled with the function.
 */
export function investigationsApiFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): InvestigationsApiDeps {
  const starter = investigationStarterFromEnvironment(env);
  let huntIds: Promise<ReadonlySet<string>> | undefined;
  const links = new S3DownloadLinks(starter.caseLocation);
  return {
    downloadLink: (key, request) => links.link(key, request),
    start: (request) => starter.start(request),
    store: new S3EvidenceStore(starter.caseLocation),
    now: () => new Date(),
    knownHuntIds: () => {
      huntIds ??= loadHuntLibrary().then((hunts) => new Set(hunts.map((h) => h.id)));
      return huntIds;
    },
    isStarting: (caseId) => starter.isRunning(caseId),
  };
}

/** API Gateway HTTP API (payload format 2.0) to the API's request, and back. */
export function apiRequestOf(event: APIGatewayProxyEventV2): ApiRequest {
  const body =
    event.body === undefined
      ? null
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: event.queryStringParameters ?? {},
    headers: event.headers ?? {},
    body,
  };
}
