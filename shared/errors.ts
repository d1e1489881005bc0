/**
 * Error classes of casefile. Step Functions matches `Retry` and `Catch` on the Lambda error's
 * name, so these class names are part of the state machine's interface: renaming one means
 * changing `statemachines/investigation.asl.yaml` too (a test checks that they agree).
 */
export class CasefileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CasefileError';
  }
}

/** The request or a task's input does not have the shape the step needs: retrying cannot help. */
export class InvalidRequestError extends CasefileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidRequestError';
  }
}

/** The next run of a case was asked for while its latest run is still going: it is not started twice. */
export class RunStillGoingError extends InvalidRequestError {
  constructor(caseId: string, run: number, runId: string) {
    super(`Case ${caseId} is still in run ${run} (${runId}): run ${run + 1} is not started while it goes.`);
    this.name = 'RunStillGoingError';
  }
}

/** A service asked us to slow down, or was briefly unavailable: worth retrying with backoff. */
export class TransientServiceError extends CasefileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientServiceError';
  }
}

/** The query engine ran the query and reported failure (syntax, missing table, bytes-scanned cutoff). */
export class QueryFailedError extends CasefileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueryFailedError';
  }
}

/** The query was cancelled (by a person, or by the workgroup) before it finished. */
export class QueryCancelledError extends CasefileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueryCancelledError';
  }
}

/** The query did not finish within the time the step allows. */
export class QueryTimeoutError extends CasefileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueryTimeoutError';
  }
}

/** A log file could not be read: corrupt compression, truncated or malformed records, unknown format. */
export class UnreadableLogError extends CasefileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnreadableLogError';
  }
}

/** A hunt definition file is malformed; the library refuses to load it rather than run half of it. */
export class InvalidHuntError extends CasefileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidHuntError';
  }
}

/** An evidence object is missing or could not be written. */
export class EvidenceStoreError extends CasefileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EvidenceStoreError';
  }
}

/** A case-folder file does not hold what its contract says: written by something else, or damaged. */
export class InvalidCaseFileError extends CasefileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidCaseFileError';
  }
}

/**
 * Another export task is running in the account (CloudWatch Logs allows one at a time, and it may
 * be somebody else's): the workflow waits and tries again.
 */
export class ExportLimitExceededError extends CasefileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExportLimitExceededError';
  }
}

/** Names that the state machine may match in Retry/Catch. */
export const casefileErrorNames = [
  'CasefileError',
  'InvalidRequestError',
  'TransientServiceError',
  'QueryFailedError',
  'QueryCancelledError',
  'QueryTimeoutError',
  'UnreadableLogError',
  'InvalidHuntError',
  'EvidenceStoreError',
  'InvalidCaseFileError',
  'ExportLimitExceededError',
] as const;
