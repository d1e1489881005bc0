import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseSummary } from '../../shared/domain/case-files/summary-file.js';
import type { HuntResultRecord } from '../../shared/domain/hunt-result.js';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';
import { type DemoLogs, demoScenario, generateDemoLogs } from '../../shared/local/demo/generate-demo-logs.js';

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** The event ids behind a row: an event hunt's `eventid`, or a behaviour hunt's sample `eventids`. */
function rowEventIds(row: Record<string, string | null>): string[] {
  return [row.eventid, ...(row.eventids ?? '').split(',')].filter(
    (id): id is string => !!id && id.trim() !== '',
  );
}

async function csvRows(path: string): Promise<Record<string, string>[]> {
  const [header, ...lines] = (await readFile(path, 'utf8')).trimEnd().split('\r\n');
  const columns = (header ?? '').split(',');
  // Only the id columns are read here; they never hold commas or quotes.
  return lines.map((line) =>
    Object.fromEntries(parseCsvLine(line).map((value, i) => [columns[i] ?? `c${i}`, value])),
  );
}

function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quoted && ch === '"' && line[i + 1] === '"') {
      cell += '"';
      i += 1;
    } else if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

describe('the demo company with an intrusion on its second day', () => {
  let demo: DemoLogs;
  let demoLogs: string;
  let caseFolder: string;

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-demo-'));
    demoLogs = join(work, 'logs');
    demo = await generateDemoLogs(demoLogs);
    const outcome = await runInvestigationLocally({
      logs: demoLogs,
      out: join(work, 'cases'),
      request: {
        caseId: 'demo-with-iocs',
        iocs: { accessKeyIds: [demoScenario.leakedAccessKeyId] },
        allowlist: { hunts: { 'iam-admin-policy-attached': { sourceIps: [demoScenario.intruderIp] } } },
      },
    });
    caseFolder = outcome.caseFolder;
  });

  it('finds the intrusion: logging stopped, a backdoor administrator, a snapshot shared out', async () => {
    const summary = await readJson<CaseSummary>(join(caseFolder, 'summary.json'));
    const found = summary.findings.map((f) => f.huntId);
    expect(found).toEqual(
      expect.arrayContaining(['cloudtrail-logging-disabled', 'iam-access-key-created-for-another-user']),
    );
    expect(summary.findingsBySeverity.critical).toBeGreaterThan(0);
  });

  it('raises nothing high or critical on the normal activity around it', async () => {
    const summary = await readJson<CaseSummary>(join(caseFolder, 'summary.json'));
    const attack = new Set(demo.attackEventIds);
    for (const finding of summary.findings.filter(
      (f) => f.severity === 'high' || f.severity === 'critical',
    )) {
      for (const row of await csvRows(join(caseFolder, finding.resultsFile ?? ''))) {
        const ids = rowEventIds(row);
        expect(ids.length, `${finding.huntId} rows carry event ids`).toBeGreaterThan(0);
        expect(
          ids.some((id) => attack.has(id)),
          `${finding.huntId} reported benign events ${ids.slice(0, 3).join(', ')}`,
        ).toBe(true);
      }
    }
  });

  it('returns everything the leaked key did, bound as a parameter, and starts the timeline from it', async () => {
    const pivot = await readJson<HuntResultRecord>(join(caseFolder, 'hunts', 'ioc-cloudtrail-activity.json'));
    expect(pivot.parameters[0]).toBe(demoScenario.leakedAccessKeyId);
    expect(pivot.query).not.toContain(demoScenario.leakedAccessKeyId);
    const rows = await csvRows(join(caseFolder, 'hunts', 'ioc-cloudtrail-activity.csv'));
    expect(rows.every((r) => r.access_key_id === demoScenario.leakedAccessKeyId)).toBe(true);
    expect(rows.some((r) => r.source_ip === demoScenario.intruderIp)).toBe(true);
    const summary = await readJson<CaseSummary>(join(caseFolder, 'summary.json'));
    expect(summary.iocActivity).toEqual([
      expect.objectContaining({ huntId: 'ioc-cloudtrail-activity', rowCount: rows.length }),
    ]);
    expect(summary.timeline.some((t) => t.severity === 'ioc')).toBe(true);
  });

  it('pivots on an IOC list longer than one query parameter may hold, every event once', async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-demo-long-iocs-'));
    const decoys = Array.from({ length: 150 }, (_, i) => `198.18.${Math.floor(i / 200)}.${i % 200}`);
    const outcome = await runInvestigationLocally({
      logs: demoLogs,
      out: join(work, 'cases'),
      request: {
        caseId: 'demo-long-iocs',
        huntIds: ['ioc-cloudtrail-activity'],
        iocs: { ips: [...decoys, demoScenario.intruderIp], accessKeyIds: [demoScenario.leakedAccessKeyId] },
      },
    });
    const rows = await csvRows(join(outcome.caseFolder, 'hunts', 'ioc-cloudtrail-activity.csv'));
    const events = rows.map((r) => `${r.account_id} ${r.eventid}`);
    expect(new Set(events).size).toBe(events.length);
    expect(rows.some((r) => r.matched_ioc === 'IP address, access key')).toBe(true);
    expect(
      rows.some(
        (r) => r.source_ip === demoScenario.intruderIp && r.access_key_id !== demoScenario.leakedAccessKeyId,
      ),
    ).toBe(true);
    expect(
      rows.some(
        (r) => r.access_key_id === demoScenario.leakedAccessKeyId && r.source_ip !== demoScenario.intruderIp,
      ),
    ).toBe(true);
    expect(rows.map((r) => r.event_time)).toEqual(rows.map((r) => r.event_time).sort());
  });

  it("leaves out what the case's allowlist names, and says so", async () => {
    const admin = await readJson<HuntResultRecord>(
      join(caseFolder, 'hunts', 'iam-admin-policy-attached.json'),
    );
    expect(admin.rowCount).toBe(0);
    expect(admin.suppressedByAllowlist.count).toBeGreaterThan(0);
    expect(admin.suppressedByAllowlist.sample[0]?.entry).toBe(`source IP ${demoScenario.intruderIp}`);
    const report = await readFile(join(caseFolder, 'report.md'), 'utf8');
    expect(report).toMatch(/## Left out by the allowlist\n\n- `iam-admin-policy-attached`: \d+ row\(s\)/);
  });
});
