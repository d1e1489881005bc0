import { InvalidRequestError } from '../errors.js';
import { fitsExecutionParameter } from './query-parameters.js';

/** Indicators a responder already holds; pivot hunts return everything each one did in the window. */
export const iocTypes = [
  'accessKeyIds',
  'principalArns',
  'ips',
  'instanceIds',
  'userAgents',
  'domains',
] as const;
export type IocType = (typeof iocTypes)[number];
export type Iocs = Partial<Record<IocType, string[]>>;

const MAX_PER_TYPE = 500;

/**
 * The shapes are checked to catch typos (a key id with a space, an IP with a port), not for safety:
 * values are always bound as query parameters. Newlines are refused because a list travels to the
 * engines as one newline-joined parameter.
 */
const shapes: Record<IocType, RegExp> = {
  accessKeyIds: /^(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,124}$/,
  principalArns: /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[^\s]+$/,
  ips: /^([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-fA-F:]{2,39})$/,
  instanceIds: /^i-[0-9a-f]{8,17}$/,
  userAgents: /^[^\r\n]{1,990}$/,
  domains: /^(?=.{1,253}$)([A-Za-z0-9_-]{1,63}\.)+[A-Za-z]{2,63}\.?$/,
};

/** Whether a value has its indicator type's shape (for triggers that gather indicators from events). */
export function hasIocShape(type: IocType, value: string): boolean {
  return shapes[type].test(value);
}

/** Whether `parseIocs` takes the value: its type's shape, and short enough to bind alone. */
export function isIocValue(type: IocType, value: string): boolean {
  // A value is bound alone at worst (iocParameterSets), so it must fit one parameter as sent.
  return hasIocShape(type, value) && fitsExecutionParameter(value);
}

export function parseIocs(raw: unknown): Iocs {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new InvalidRequestError("'iocs' must be an object of lists.");
  const iocs: Iocs = {};
  for (const [type, values] of Object.entries(raw)) {
    if (!(iocTypes as readonly string[]).includes(type)) {
      throw new InvalidRequestError(`Unknown IOC type '${type}'; known types: ${iocTypes.join(', ')}.`);
    }
    if (!Array.isArray(values) || values.length > MAX_PER_TYPE) {
      throw new InvalidRequestError(`'iocs.${type}' must be a list of at most ${MAX_PER_TYPE} values.`);
    }
    for (const value of values) {
      if (typeof value !== 'string' || !hasIocShape(type as IocType, value)) {
        throw new InvalidRequestError(`'${String(value).slice(0, 80)}' is not a valid ${type} value.`);
      }
      if (!fitsExecutionParameter(value)) {
        throw new InvalidRequestError(
          `'${value.slice(0, 80)}...' is longer than one query parameter may be once its quotes are escaped.`,
        );
      }
    }
    if (values.length > 0) iocs[type as IocType] = [...new Set(values as string[])];
  }
  return iocs;
}

/** One bound parameter per IOC type: the values joined by newlines, split again in SQL with `split(?, '\n')`. */
export function iocParameter(iocs: Iocs, type: IocType): string {
  const values = iocs[type] ?? [];
  return type === 'domains'
    ? values.map((d) => d.toLowerCase().replace(/\.$/, '')).join('\n')
    : values.join('\n');
}

/**
 * Athena caps each execution parameter at 1,024 characters as sent, quotes and escaped quotes
 * included (query-parameters.ts). A pivot hunt matches an event when any
 * of its IOC lists does, so a long list is split into runs that each bind one slice of one list (the
 * other lists empty); the union of their rows is the pivot's result. Short lists are one run.
 */
export function iocParameterSets(
  types: IocType[],
  iocs: Iocs,
  fits: (value: string) => boolean = fitsExecutionParameter,
): string[][] {
  const whole = types.map((type) => iocParameter(iocs, type));
  if (whole.every(fits)) return [whole];
  const sets: string[][] = [];
  types.forEach((type, position) => {
    let slice: string[] = [];
    const flush = () => {
      if (slice.length === 0) return;
      sets.push(types.map((_, i) => (i === position ? slice.join('\n') : '')));
      slice = [];
    };
    for (const value of iocParameter(iocs, type)
      .split('\n')
      .filter((v) => v !== '')) {
      if (slice.length > 0 && !fits([...slice, value].join('\n'))) flush();
      slice.push(value);
    }
    flush();
  });
  return sets;
}

export function hasIocs(iocs: Iocs, types: readonly IocType[] = iocTypes): boolean {
  return types.some((type) => (iocs[type]?.length ?? 0) > 0);
}

/** The indicators of `iocs` that `held` does not have yet, by type; types with none are left out. */
export function iocsNotIn(held: Iocs, iocs: Iocs): Iocs {
  const fresh: Iocs = {};
  for (const [type, values] of Object.entries(iocs) as [IocType, string[]][]) {
    const added = values.filter((value) => !(held[type] ?? []).includes(value));
    if (added.length > 0) fresh[type] = added;
  }
  return fresh;
}

/** `held` with `extra` added, each value once, in the order first seen. */
export function unionOfIocs(held: Iocs, extra: Iocs): Iocs {
  const union: Iocs = { ...held };
  for (const [type, values] of Object.entries(extra) as [IocType, string[]][]) {
    union[type] = [...new Set([...(union[type] ?? []), ...(values ?? [])])];
  }
  return union;
}
