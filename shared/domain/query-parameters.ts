/**
 * Athena execution parameters as StartQueryExecution sends them: a string value travels with its
 * single quotes (a quote inside doubled), and each value may be at most 1,024 characters as sent.
 * https://docs.aws.amazon.com/athena/latest/APIReference/API_StartQueryExecution.html
 * https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html
 */
export const MAX_EXECUTION_PARAMETER_LENGTH = 1_024;

/** A string as the literal Athena substitutes for its `?`. */
export function quotedParameter(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Whether a string value stays within Athena's limit once quoted and escaped. */
export function fitsExecutionParameter(value: string): boolean {
  return quotedParameter(value).length <= MAX_EXECUTION_PARAMETER_LENGTH;
}
