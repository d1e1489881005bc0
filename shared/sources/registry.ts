import type { LogSourceId } from '../domain/log-sources.js';
import { cloudtrailSource } from './cloudtrail-source.js';
import type { LogSourceModule } from './log-source-module.js';

/** Every source casefile reads, in the order files are offered to their detectors. */
export const logSourceModules: LogSourceModule[] = [cloudtrailSource];

export function logSourceModule(id: LogSourceId): LogSourceModule {
  const module = logSourceModules.find((m) => m.id === id);
  if (!module) throw new Error(`No reader for log source '${id}'.`);
  return module;
}
