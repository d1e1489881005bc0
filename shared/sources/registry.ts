import type { LogSourceId } from '../domain/log-sources.js';
import { albSource } from './alb-source.js';
import { cloudfrontSource } from './cloudfront-source.js';
import { cloudtrailSource } from './cloudtrail-source.js';
import { eksAuditSource } from './eks-audit-source.js';
import { guarddutySource } from './guardduty-source.js';
import { lambdaSource } from './lambda-source.js';
import type { LogSourceModule } from './log-source-module.js';
import { route53publicSource } from './route53public-source.js';
import { route53resolverSource } from './route53resolver-source.js';
import { s3AccessSource } from './s3-access-source.js';
import { vpcflowSource } from './vpcflow-source.js';
import { wafSource } from './waf-source.js';

/** Every source casefile reads, in the order files are offered to their detectors. */
export const logSourceModules: LogSourceModule[] = [
  cloudtrailSource,
  s3AccessSource,
  eksAuditSource,
  guarddutySource,
  vpcflowSource,
  route53resolverSource,
  route53publicSource,
  albSource,
  cloudfrontSource,
  wafSource,
  lambdaSource,
];

export function logSourceModule(id: LogSourceId): LogSourceModule {
  const module = logSourceModules.find((m) => m.id === id);
  if (!module) throw new Error(`No reader for log source '${id}'.`);
  return module;
}
