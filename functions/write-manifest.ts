import middy from '@middy/core';
import { awsCaseAdapters } from '../shared/aws/aws-case-adapters.js';
import { caseLogging } from '../shared/aws/case-logging.js';
import type { CaseAdapterFactory } from '../shared/ports/case-adapters.js';
import { parseCaseInput } from '../shared/workflow/step-input.js';
import { writeManifest } from '../shared/workflow/write-manifest.js';

/** Writes the SHA-256 manifest of the case folder. */
const writeManifestStep = (adapters: CaseAdapterFactory) => async (event: unknown) => {
  const { case: context } = parseCaseInput(event);
  return writeManifest(context, adapters(context));
};

/** The Lambda handler over the given adapters; the local runner passes its own. */
export const createHandler = (adapters: CaseAdapterFactory) => middy(writeManifestStep(adapters));

export const handler = createHandler(awsCaseAdapters).use(caseLogging());
