// asl-validator ships JavaScript only; this is the part of its API the tests use.
declare module 'asl-validator' {
  interface ValidationResult {
    isValid: boolean;
    errors: { message?: string; path?: string; 'Error code'?: string }[];
  }
  export default function aslValidator(
    definition: unknown,
    options?: Record<string, unknown>,
  ): ValidationResult;
}
