import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FolderInventory } from '../../shared/local/adapters/folder-inventory.js';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';
import type { CaseAdapters } from '../../shared/ports/case-adapters.js';
import type { EvidenceStore } from '../../shared/ports/evidence-store.js';
import type { LogInventory } from '../../shared/ports/log-inventory.js';
import { fixtureData } from '../support/fixture-data.js';

// Stratus Red Team detonation logs: DataDog/stratus-red-team, Apache-2.0.
const stratusStop = fixtureData('stratus-red-team/records_gz/aws.defense-evasion.cloudtrail-stop.json.gz');

type Statement = { Action: string | string[]; Resource: unknown };
type Role = { Properties: { Policies?: { PolicyDocument: { Statement: Statement[] } }[] } };

/**
 * The case-folder keys each function's role may write, read from serverless.yml: the part after
 * `<case bucket>/cases/` of every s3:PutObject resource, as an IAM wildcard pattern.
 */
async function caseWritesGranted(): Promise<Map<string, RegExp[]>> {
  const config = parse(await readFile(new URL('../../serverless.yml', import.meta.url), 'utf8')) as {
    functions: Record<string, { role: string }>;
    resources: { Resources: Record<string, Role> };
  };
  const granted = new Map<string, RegExp[]>();
  for (const [name, { role }] of Object.entries(config.functions)) {
    const statements = (config.resources.Resources[role]?.Properties.Policies ?? []).flatMap(
      (policy) => policy.PolicyDocument.Statement,
    );
    const patterns = statements
      .filter((s) => [s.Action].flat().includes('s3:PutObject'))
      .flatMap((s) => [s.Resource].flat())
      .map((resource) => JSON.stringify(resource).match(/"\/cases\/([^"]+)"/)?.[1])
      .filter((pattern): pattern is string => pattern !== undefined)
      // In IAM, `*` matches any characters, slashes included.
      .map((pattern) => new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`));
    granted.set(name, patterns);
  }
  return granted;
}

/** Every case-folder key each function's handler wrote, through its own adapters. */
function recordWrites() {
  const written = new Map<string, Set<string>>();
  const adaptersFor = (functionName: string, adapters: CaseAdapters): CaseAdapters => {
    const noteWrite = (key: string) =>
      written.set(functionName, (written.get(functionName) ?? new Set()).add(key));
    const recording = (inner: EvidenceStore): EvidenceStore => ({
      locate: (key) => inner.locate(key),
      get: (key) => inner.get(key),
      read: (key) => inner.read(key),
      exists: (key) => inner.exists(key),
      list: (prefix) => inner.list(prefix),
      put: async (key, body, contentType) => {
        noteWrite(key);
        await inner.put(key, body, contentType);
      },
      putStream: async (key, body, contentType) => {
        noteWrite(key);
        await inner.putStream(key, body, contentType);
      },
      putIfAbsent: async (key, body, contentType) => {
        noteWrite(key);
        return inner.putIfAbsent(key, body, contentType);
      },
      forRun: (runId) => recording(inner.forRun(runId)),
    });
    return { ...adapters, store: recording(adapters.store) };
  };
  return { written, adaptersFor };
}

/** What `aws logs filter-log-events` prints for an EKS cluster's audit log group. */
function eksAuditDump(): string {
  const event = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    auditID: '5a1c9e0e-4a55-4a49-9d1e-2d8e6d5d1f10',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/payments/secrets',
    verb: 'list',
    user: { username: 'kubernetes-admin', groups: ['system:masters'] },
    sourceIPs: ['203.0.113.45'],
    objectRef: { resource: 'secrets', namespace: 'payments', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: '2024-07-31T13:10:00.000000Z',
    stageTimestamp: '2024-07-31T13:10:00.100000Z',
  };
  return JSON.stringify({
    events: [
      {
        logStreamName: 'kube-apiserver-audit-5d2c1e0f',
        timestamp: Date.parse('2024-07-31T13:10:00Z'),
        message: JSON.stringify(event),
        ingestionTime: Date.parse('2024-07-31T13:10:05Z'),
        eventId: '37850',
      },
    ],
    searchedLogStreams: [],
  });
}

/** The folder's logs as one account's, and a second account whose inventory fails. */
function oneAccountFailing(logs: string): LogInventory {
  const folder = new FolderInventory(logs);
  return {
    accounts: async () => ['111111111111', '222222222222'],
    discover: async (context, account) => {
      if (account === '222222222222') throw new Error('User is not authorized to perform: sts:AssumeRole');
      return folder.discover(context);
    },
    discoverExported: (context, exports) => folder.discoverExported(context, exports),
  };
}

describe("each function's role in serverless.yml", () => {
  it('may write every case file its handler writes in a whole investigation, hunts failing or not', async () => {
    const logs = await mkdtemp(join(tmpdir(), 'casefile-writes-'));
    await writeFile(join(logs, 'trail.json.gz'), await readFile(stratusStop));
    await mkdir(join(logs, 'cloudwatch'));
    await writeFile(join(logs, 'cloudwatch', 'eks-prod-cluster.json'), eksAuditDump());
    const granted = await caseWritesGranted();

    const { written, adaptersFor } = recordWrites();
    await runInvestigationLocally({
      logs,
      out: join(logs, '..', `${logs.split('/').pop()}-cases`),
      request: { caseId: 'writes' },
      testing: { adaptersFor },
    });
    const failing = recordWrites();
    const brokenEngine = {
      name: 'duckdb' as const,
      run: async () => Promise.reject(new Error('engine unavailable')),
    };
    await runInvestigationLocally({
      logs,
      out: join(logs, '..', `${logs.split('/').pop()}-cases`),
      request: { caseId: 'writes-failing' },
      testing: {
        noRetryDelay: true,
        adapters: { engine: brokenEngine, inventory: oneAccountFailing(logs) },
        adaptersFor: failing.adaptersFor,
      },
    });

    for (const [functionName, keys] of failing.written) {
      written.set(functionName, new Set([...(written.get(functionName) ?? []), ...keys]));
    }
    expect([...written.keys()].sort()).toEqual(
      expect.arrayContaining([
        'buildReport',
        'createTables',
        'fileAccountFailure',
        'fileHuntFailure',
        'inventoryLogs',
        'mergeInventory',
        'openCase',
        'recordExportBatch',
        'runHunt',
        'writeManifest',
      ]),
    );
    for (const [functionName, keys] of written) {
      const patterns = granted.get(functionName) ?? [];
      for (const key of keys) {
        const path = key.replace(/^[^/]+\//, '*/');
        expect(
          patterns.some((pattern) => pattern.test(path)),
          `${functionName} writes ${key}, which its role may not`,
        ).toBe(true);
      }
    }
  }, 300_000);
});
