/** The log sources casefile knows. Each has a table of the same name in both engines. */
export const logSourceIds = [
  'cloudtrail',
  's3access',
  'eksaudit',
  'guardduty',
  'vpcflow',
  'route53resolver',
  'route53public',
  'alb',
  'cloudfront',
  'waf',
  'lambda',
] as const;
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
  s3access: {
    id: 's3access',
    title: 'Amazon S3 server access logs',
    whenMissing:
      'No S3 server access logs: object reads, writes and deletes (data access and exfiltration) cannot be investigated, as CloudTrail records them only with data events enabled.',
  },
  eksaudit: {
    id: 'eksaudit',
    title: 'Amazon EKS control-plane audit logs',
    whenMissing:
      'No EKS audit logs: what was done inside Kubernetes clusters (exec into pods, secrets read, role bindings, privileged pods) cannot be investigated.',
  },
  guardduty: {
    id: 'guardduty',
    title: 'Amazon GuardDuty findings',
    whenMissing:
      "No GuardDuty findings: AWS's own threat detections (credential exfiltration, crypto mining, malicious IPs) cannot be correlated with the case.",
  },
  vpcflow: {
    id: 'vpcflow',
    title: 'Amazon VPC flow logs',
    whenMissing:
      'No VPC flow logs: network connections (scans, inbound access to exposed ports, mining-pool traffic, large outbound transfers) cannot be investigated.',
  },
  route53resolver: {
    id: 'route53resolver',
    title: 'Amazon Route 53 Resolver query logs',
    whenMissing:
      'No Resolver query logs: the domains resources in the VPCs looked up (command-and-control, mining pools, DNS tunnelling) cannot be investigated.',
  },
  route53public: {
    id: 'route53public',
    title: 'Amazon Route 53 public hosted zone query logs',
    whenMissing:
      "No public DNS query logs: who on the internet resolved the account's own domains (reconnaissance, subdomain enumeration) cannot be investigated.",
  },
  alb: {
    id: 'alb',
    title: 'Application Load Balancer access logs',
    whenMissing:
      'No load balancer access logs: HTTP requests to the applications (exploit attempts, scanners, who reached which path) cannot be investigated.',
  },
  cloudfront: {
    id: 'cloudfront',
    title: 'Amazon CloudFront standard logs',
    whenMissing:
      'No CloudFront logs: HTTP requests to the distributions (exploit attempts, scanners, content scraping) cannot be investigated.',
  },
  waf: {
    id: 'waf',
    title: 'AWS WAF logs',
    whenMissing:
      'No WAF logs: which attacks on the web applications were blocked, counted or let through cannot be investigated.',
  },
  lambda: {
    id: 'lambda',
    title: 'AWS Lambda function logs',
    whenMissing:
      'No Lambda function logs: what ran inside the functions (credential or metadata access, commands run, exploit payloads reaching the handlers, errors and timeouts) cannot be investigated.',
  },
};

export function isLogSourceId(value: string): value is LogSourceId {
  return (logSourceIds as readonly string[]).includes(value);
}
