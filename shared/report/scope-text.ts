import { type CaseScope, describeScope, globalEventsNote, isWholeEstate } from '../domain/case-scope.js';

/** The scope as `casefile investigate` flags, so the command in "How to reproduce" narrows the same way. */
export function scopeFlags(scope: CaseScope | undefined): string {
  if (!scope || isWholeEstate(scope)) return '';
  const flags: string[] = [];
  if (scope.accounts) flags.push(`--accounts ${scope.accounts.join(',')}`);
  if (scope.regions) flags.push(`--regions ${scope.regions.join(',')}`);
  if (scope.sources) flags.push(`--sources ${scope.sources.join(',')}`);
  return ` ${flags.join(' ')}`;
}

/** The scope as the API request's fields (`POST /investigations`), for the same case in AWS. */
export function scopeRequestFields(scope: CaseScope | undefined): Record<string, string[]> {
  if (!scope) return {};
  return Object.fromEntries(
    (['accounts', 'regions', 'sources'] as const).flatMap((key) => {
      const value = scope[key];
      return value ? [[key, value]] : [];
    }),
  );
}

/** One sentence for the report: what this case looked at, and that the rest was left out on purpose. */
export function scopeSentence(scope: CaseScope | undefined): string | null {
  if (!scope || isWholeEstate(scope)) return null;
  return [
    `This case was narrowed to ${describeScope(scope)}: logs of other accounts, regions and sources were left out on purpose (listed under the inputs skipped), and hunts reading other sources were not run.`,
    ...globalEventsNote(scope),
  ].join(' ');
}
