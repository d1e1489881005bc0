/**
 * A hunt's CSV holds every row it matched, in a total order (the same input gives the same bytes),
 * and nothing a log record carries can run as a spreadsheet formula or break the report.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HuntResultRecord } from '../../shared/domain/hunt-result.js';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';

const EVENTS = 12_000;
const hunt = 'cloudtrail-logging-disabled';

/** Many StopLogging calls at the same second (ties for the hunt's ORDER BY), the attacker's last. */
function stopLoggingRecords() {
  const records = [];
  for (let i = 0; i < EVENTS; i++) {
    const hostile = i === 0;
    const time = hostile ? '09:59:59' : i === EVENTS - 1 ? '23:59:59' : `10:00:0${i % 3}`;
    records.push({
      eventVersion: '1.08',
      userIdentity: {
        type: 'IAMUser',
        arn: hostile
          ? '=HYPERLINK("https://attacker.example/x","click")'
          : `arn:aws:iam::111122223333:user/u${i % 7}`,
        accountId: '111122223333',
      },
      eventTime: `2024-05-01T${time}Z`,
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      awsRegion: 'us-east-1',
      sourceIPAddress: hostile ? '@203.0.113.66' : '198.51.100.7',
      userAgent: 'aws-cli/2.15.0',
      requestParameters: { name: hostile ? '|pipe\rcarriage `tick` <b>bold</b>' : `trail-${i % 5}` },
      responseElements: null,
      eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
    });
  }
  return records;
}

/** The cells of a Markdown table row: every pipe not escaped is a border. */
const cellsOf = (line: string) => line.replace(/\\\|/g, '').split('|').length - 2;

describe('a hunt that matches more rows than any page', () => {
  let out: string;
  let logs: string;

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-rows-'));
    logs = join(work, 'logs');
    out = join(work, 'cases');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(logs);
    await writeFile(join(logs, 'trail.json.gz'), gzipSync(JSON.stringify({ Records: stopLoggingRecords() })));
    for (const caseId of ['first', 'second']) {
      await runInvestigationLocally({ logs, out, request: { caseId, huntIds: [hunt] } });
    }
  });

  it('writes every row to the CSV and counts them all, the attacker`s latest event included', async () => {
    const csv = await readFile(join(out, 'first', 'hunts', `${hunt}.csv`), 'utf8');
    const lines = csv.split('\r\n').filter((l) => l !== '');
    expect(lines).toHaveLength(EVENTS + 1);
    expect(csv).toContain('00000000-0000-4000-8000-000000011999');
    const record = JSON.parse(
      await readFile(join(out, 'first', 'hunts', `${hunt}.json`), 'utf8'),
    ) as HuntResultRecord;
    expect(record).toMatchObject({ rowCount: EVENTS, truncated: false });
  });

  it('writes byte-identical CSVs for the same input, ties on the ORDER BY included', async () => {
    const first = await readFile(join(out, 'first', 'hunts', `${hunt}.csv`));
    const second = await readFile(join(out, 'second', 'hunts', `${hunt}.csv`));
    expect(second.equals(first)).toBe(true);
  });

  it('neutralises cells a spreadsheet would run as a formula', async () => {
    const csv = await readFile(join(out, 'first', 'hunts', `${hunt}.csv`), 'utf8');
    expect(csv).toContain(`"'=HYPERLINK(""https://attacker.example/x"",""click"")"`);
    expect(csv).toContain(",'@203.0.113.66,");
    expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });

  it('keeps log text from breaking the report: no table row split by a lone CR, no HTML or code span', async () => {
    const report = await readFile(join(out, 'first', 'report.md'), 'utf8');
    const lines = report.split('\n');
    // Every table row holding the attacker's event has as many cells as its table's header.
    const hostile = lines.flatMap((line, i) =>
      line.includes('09:59:59') && line.startsWith('|') ? [i] : [],
    );
    expect(hostile.length).toBeGreaterThanOrEqual(2);
    for (const i of hostile) {
      let header = i;
      while (lines[header - 1]?.startsWith('|')) header -= 1;
      expect(cellsOf(lines[i] ?? ''), lines[i]).toBe(cellsOf(lines[header] ?? ''));
    }
    expect(report).not.toContain('<b>');
    expect(report).not.toMatch(/\r/);
    expect(report).toContain('\\|pipe carriage \\`tick\\` \\<b\\>bold\\</b\\>');
  });
});
