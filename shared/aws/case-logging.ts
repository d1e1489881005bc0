import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type middy from '@middy/core';

/** One structured JSON logger for every casefile function; level from POWERTOOLS_LOG_LEVEL. */
export const logger = new Logger({ serviceName: 'casefile' });

/**
 * The case id of a step's or trigger's event, wherever the workflow puts it: `case.caseId` (every step
 * after OpenCase), `request.caseId` (OpenCase, which gets `{ request, runId }`), `caseId` (the API),
 * a path parameter of the API, or in a Step Functions status change the execution's input (`caseId`)
 * or else its name (the starter names run 1's execution after its case).
 */
export function caseIdOf(event: unknown): string | undefined {
  const e = (event ?? {}) as {
    caseId?: unknown;
    case?: { caseId?: unknown };
    request?: { caseId?: unknown };
    pathParameters?: { caseId?: unknown };
    source?: unknown;
    detail?: { name?: unknown; input?: unknown };
  };
  const execution =
    e.source === 'aws.states' ? (caseIdOfInput(e.detail?.input) ?? e.detail?.name) : undefined;
  const id = e.case?.caseId ?? e.request?.caseId ?? e.caseId ?? e.pathParameters?.caseId ?? execution;
  return typeof id === 'string' ? id : undefined;
}

/** A re-run's execution is named `<caseId>.run-<n>`: its input names the case. */
function caseIdOfInput(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  try {
    const caseId = (JSON.parse(input) as { caseId?: unknown } | null)?.caseId;
    return typeof caseId === 'string' ? caseId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Middy middleware for the Lambda entry points only (the local runner builds its handlers without it,
 * so CLI output stays clean): Lambda context and the case id on every log line, and a failed step
 * logged with its error before Step Functions sees it.
 */
export function caseLogging(): middy.MiddlewareObj {
  const context = injectLambdaContext(logger, { resetKeys: true });
  return {
    before: async (request) => {
      await context.before?.(request);
      const caseId = caseIdOf(request.event);
      if (caseId) logger.appendKeys({ caseId });
    },
    after: context.after,
    onError: async (request) => {
      logger.error('step failed', request.error as Error);
      await context.onError?.(request);
    },
  };
}
