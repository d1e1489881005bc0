/**
 * The message of an error Step Functions caught: a Lambda error's Cause is JSON text holding
 * errorMessage (with errorType and the stack trace); anything else is taken as it is.
 */
export function lambdaErrorMessage(cause: string | undefined): string {
  if (!cause) return 'no cause recorded';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}
