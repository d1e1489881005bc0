/** The log sources casefile knows. Each has a table of the same name in both engines. */
export const logSourceIds = ['cloudtrail'] as const;
export type LogSourceId = (typeof logSourceIds)[number];

export interface LogSourceDescription {
  id: LogSourceId;
  title: string;
  /** What cannot be investigated when this source is missing, in one sentence. */
  whenMissing: string;
}

export const logSourceCatalog: Record<LogSourceId, LogSourceDescription> = {
  cloudtrail: {
    id: 'cloudtrail',
    title: 'AWS CloudTrail',
    whenMissing: 'No CloudTrail: API activity (who did what, from where) cannot be investigated.',
  },
};

export function isLogSourceId(value: string): value is LogSourceId {
  return (logSourceIds as readonly string[]).includes(value);
}
