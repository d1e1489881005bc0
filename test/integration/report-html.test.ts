import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLibraryDir } from '../../shared/hunts/hunt-library.js';
import { runInvestigationLocally } from '../../shared/local/app/local-runner.js';
import { generateDemoLogs } from '../../shared/local/demo/generate-demo-logs.js';
import { fixtureData } from '../support/fixture-data.js';
import { type OpenedPage, openInChromium } from '../support/headless-chromium.js';

/** Screenshots for a person to look at; the folder is ignored by git. */
const screenshots = fileURLToPath(new URL('../../.screenshots/', import.meta.url));

async function expectSelfContainedAndDrawn(opened: OpenedPage, screenshot: string) {
  const { page } = opened;
  expect(opened.errors).toEqual([]);
  expect(opened.networkRequests).toEqual([]);
  const drawn = await page.$$eval('figure.chart svg', (svgs) =>
    svgs.map((s) => s.querySelectorAll('rect').length),
  );
  expect(drawn.length).toBeGreaterThanOrEqual(3);
  for (const rects of drawn) expect(rects).toBeGreaterThan(0);
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, screenshot), fullPage: true });
}

describe('report.html of the demo case, opened from disk in headless Chromium', () => {
  let caseFolder: string;
  let opened: OpenedPage;

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-report-demo-'));
    await generateDemoLogs(join(work, 'logs'));
    const outcome = await runInvestigationLocally({
      logs: join(work, 'logs'),
      out: join(work, 'cases'),
      request: { caseId: 'demo' },
    });
    caseFolder = outcome.caseFolder;
    opened = await openInChromium(join(caseFolder, 'report.html'));
  });
  afterAll(() => opened?.close());

  it('loads nothing from the network, raises no error and draws its charts', async () => {
    await expectSelfContainedAndDrawn(opened, 'report-demo.png');
  });

  it('opens on the story: the critical finding first, with who did it and from where', async () => {
    const first = await opened.page.textContent('ol.story li');
    expect(first).toMatch(/critical/i);
    expect(first).toContain('CloudTrail logging stopped');
    expect(first).toContain('svc-backup');
    expect(first).toContain('203.0.113.77');
    expect(first).toContain('T1562.008');
    const summary = await opened.page.textContent('#summary');
    expect(summary).toMatch(/Since when/);
  });

  it('filters the timeline by severity, and only the critical entry stays', async () => {
    const { page } = opened;
    const all = await page.locator('#timeline tbody tr').count();
    await page.selectOption('#timeline-filters select[name=severity]', 'critical');
    const visible = await page.locator('#timeline tbody tr:visible').count();
    expect(visible).toBe(1);
    expect(all).toBeGreaterThan(visible);
    await page.selectOption('#timeline-filters select[name=severity]', 'info');
    expect(await page.locator('#timeline tbody tr:visible').count()).toBe(all);
  });

  it('writes the layer and the Timesketch timeline beside it, both listed in the manifest', async () => {
    const manifest = await readFile(join(caseFolder, 'manifest.json'), 'utf8');
    for (const file of ['report.html', 'attack-layer.json', 'timeline.csv']) expect(manifest).toContain(file);
  });
});

describe('report.html of a case with a failed hunt, unreadable inputs and a hostile user agent', () => {
  let opened: OpenedPage;

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'casefile-report-hostile-'));
    const logs = join(work, 'logs');
    await mkdir(logs, { recursive: true });
    // Stratus Red Team detonation logs: DataDog/stratus-red-team, Apache-2.0 (test/fixtures/stratus-red-team/README.txt).
    const stop = JSON.parse(
      gunzipSync(
        await readFile(
          fixtureData('stratus-red-team/records_gz/aws.defense-evasion.cloudtrail-stop.json.gz'),
        ),
      ).toString('utf8'),
    ) as { Records: Record<string, unknown>[] };
    const payload = '<script>window.pwned = true</script><img src="https://attacker.example/x.png">';
    const hostile = stop.Records.map((r) => ({
      ...r,
      userAgent: payload,
      requestParameters: { name: payload },
    }));
    await writeFile(join(logs, 'hostile.json'), JSON.stringify({ Records: hostile }));
    const text = JSON.stringify({ Records: hostile });
    await writeFile(join(logs, 'truncated.json'), text.slice(0, Math.floor(text.length / 2)));
    await writeFile(join(logs, 'notes.txt'), 'handed over by the customer on Monday\n');
    const library = join(work, 'library');
    await cp(defaultLibraryDir(), library, { recursive: true });
    const original = await readFile(join(library, 'cloudtrail', 'cloudtrail-logging-disabled.yaml'), 'utf8');
    await mkdir(join(library, 'broken'));
    await writeFile(
      join(library, 'broken', 'broken-hunt.yaml'),
      original
        .replace('id: cloudtrail-logging-disabled', 'id: broken-hunt')
        .replace('FROM cloudtrail', 'FROM table_that_does_not_exist'),
    );
    const outcome = await runInvestigationLocally({
      logs,
      out: join(work, 'cases'),
      request: { caseId: 'hostile', huntIds: ['broken-hunt', 'cloudtrail-logging-disabled'] },
      huntLibraryDir: library,
    });
    opened = await openInChromium(join(outcome.caseFolder, 'report.html'));
  });
  afterAll(() => opened?.close());

  it('loads nothing from the network, raises no error and draws its charts', async () => {
    await expectSelfContainedAndDrawn(opened, 'report-hostile.png');
  });

  it('shows a <script> from a user agent as text and never runs it', async () => {
    const { page } = opened;
    expect(await page.evaluate(() => (globalThis as { pwned?: boolean }).pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.textContent('#timeline')).toContain('<script>window.pwned = true</script>');
  });

  it('says the case is incomplete, and which hunt failed and which inputs were skipped, and why', async () => {
    const { page } = opened;
    expect(await page.textContent('#summary')).toMatch(/incomplete: 1 hunt\(s\) failed and 2 input\(s\)/);
    const gaps = (await page.textContent('#gaps')) ?? '';
    expect(gaps).toMatch(/broken-hunt.*table_that_does_not_exist/s);
    expect(gaps).toMatch(/truncated\.json \((inventory|tables)\): \S+/);
    expect(gaps).toMatch(/notes\.txt.*unknown format/s);
  });
});
