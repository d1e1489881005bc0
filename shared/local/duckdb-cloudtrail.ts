import type { FileLayout } from '../domain/inventory.js';
import { cloudtrailSource } from '../sources/cloudtrail-source.js';

export { sqlString } from '../sources/cloudtrail-source.js';

/** A SELECT giving the CloudTrail columns (Athena's names and shapes) from files of one layout. */
export function selectCloudTrailRecords(paths: string[], layout: FileLayout, compressed: boolean): string {
  return cloudtrailSource.duckdbSelect(paths, layout, compressed);
}
