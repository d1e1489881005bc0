import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { extendCaseFromFinding } from '../../api/case-reruns.js';
import type { InvestigationRequest } from '../../domain/case.js';
import { caseFiles } from '../../domain/case-files.js';
import { caseFolderLayout } from '../../domain/case-folder-layout.js';
import {
  defaultFindingScope,
  findingFromDocument,
  investigationFromFinding,
} from '../../domain/guardduty-finding.js';
import { iocTypes } from '../../domain/iocs.js';
import { assessHuntCoverage, loadCoverageInputs, renderCoverageMarkdown } from '../../hunts/coverage.js';
import { loadHuntLibrary } from '../../hunts/hunt-library.js';
import { readCaseFile } from '../../ports/evidence-store.js';
import { planNextRun } from '../../workflow/next-run.js';
import { verifyCase } from '../../workflow/verify-case.js';
import { FileEvidenceStore } from '../adapters/file-evidence-store.js';
import { openHuntTestEngine, runHuntTests } from './hunt-test-runner.js';
import {
  detectKilledRun,
  InvestigationInterruptedError,
  newLocalRunId,
  takeOverInterruptedCase,
} from './interrupted-runs.js';
import { type ProgressEvent, runInvestigationLocally } from './local-runner.js';

const USAGE = `casefile: investigate an AWS account's logs and leave a case folder.

Usage:
  casefile investigate --logs <dir> [--out <dir>] [--case-id <id>] [--from <iso>] [--to <iso>]
                       [--hunts <id,id>] [--max-concurrency <n>] [--ioc <type>=<value> ...]
                       [--allowlist <file.yaml>] [--sigma <dir>] [--guardduty-finding <finding.json>]
                       [--accounts <id,id>] [--regions <name,name>] [--sources <source,source>]
  casefile investigate --resume <case folder or id> --logs <dir> [--out <dir>]
                                    finish an interrupted case with the same request
  casefile rerun --case <case folder> --logs <dir> [--to <iso>] [--ioc <type>=<value> ...]
                                    run a finished case again from where its last run ended
                                    (less 15 minutes for late delivery); reports only new hits
  casefile demo [--out <dir>]       generate the demo logs and investigate them
  casefile serve --logs <dir> [--out <dir>] [--port <n>]
                                    the investigations API (api/openapi.yaml) on localhost
  casefile verify <case folder> [--manifest-sha256 <hex>]
                                    check every file against the case's SHA-256 manifest,
                                    and the manifest against the hash printed at the end of the run
  casefile hunts                    list the hunt library
  casefile hunts test               run every hunt's inline tests
  casefile hunts coverage [--out <dir>]
                                    ATT&CK techniques and attacker-used CloudTrail APIs against the
                                    hunts (Markdown on stdout, or coverage.md and coverage.json in <dir>)

Without --from/--to the window is the whole span of the records found. --accounts, --regions and
--sources narrow the case: other CloudTrail files are listed as out of scope, other sources not read.
IOC types: accessKeyIds, principalArns, ips, instanceIds, userAgents, domains. An allowlist file
(principals, sourceIps, userAgents, hunts: {<id>: ...}) silences known-good actors for this case;
CASEFILE_ALLOWLIST names a file that applies to every case.
The case folder's path is the last line printed on stdout.`;

/** Runs one command; returns the process exit code. Progress goes to stderr, results to stdout. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'investigate':
        return await investigate(rest);
      case 'rerun':
        return await rerun(rest);
      case 'demo':
        return await demo(rest);
      case 'verify':
        return await verify(rest);
      case 'serve':
        return await serve(rest);
      case 'hunts':
        if (rest[0] === 'test') return await testHunts();
        if (rest[0] === 'coverage') return await huntCoverage(rest.slice(1));
        return await listHunts();
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        console.error(`Unknown command '${command}'.\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    console.error(`casefile: ${(error as Error).message}`);
    return 1;
  }
}

/** `--regions eu-west-1,us-east-1`; `--regions ''` stays an empty list, which the case refuses by name. */
const commaList = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

async function investigate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      logs: { type: 'string' },
      out: { type: 'string', default: 'cases' },
      'case-id': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      hunts: { type: 'string' },
      accounts: { type: 'string' },
      regions: { type: 'string' },
      sources: { type: 'string' },
      'max-concurrency': { type: 'string' },
      ioc: { type: 'string', multiple: true },
      allowlist: { type: 'string' },
      sigma: { type: 'string' },
      'guardduty-finding': { type: 'string' },
      resume: { type: 'string' },
    },
    strict: true,
  });
  if (!values.logs) {
    console.error(`--logs <dir> is required.\n\n${USAGE}`);
    return 2;
  }
  if (!(await stat(values.logs).catch(() => null))?.isDirectory()) {
    console.error(`casefile: the logs folder ${resolve(values.logs)} does not exist or is not a folder.`);
    return 2;
  }
  if (values.resume) {
    // A case folder, or a case id under --out.
    const folder = (await stat(values.resume).catch(() => null))?.isDirectory()
      ? resolve(values.resume)
      : resolve(values.out, values.resume);
    return resume(folder, resolve(values.logs));
  }
  const fromFinding = values['guardduty-finding']
    ? await requestFromFindingFile(values['guardduty-finding'])
    : {};
  const flagIocs = values.ioc ? iocsFromFlags(values.ioc) : {};
  const request: InvestigationRequest = {
    ...fromFinding,
    ...(values['case-id'] ? { caseId: values['case-id'] } : {}),
    ...(values.from ? { from: values.from } : {}),
    ...(values.to ? { to: values.to } : {}),
    ...(values.hunts ? { huntIds: values.hunts.split(',').map((h) => h.trim()) } : {}),
    ...(values.accounts !== undefined ? { accounts: commaList(values.accounts) } : {}),
    ...(values.regions !== undefined ? { regions: commaList(values.regions) } : {}),
    ...(values.sources !== undefined ? { sources: commaList(values.sources) } : {}),
    ...(values['max-concurrency'] ? { maxConcurrency: Number(values['max-concurrency']) } : {}),
    ...(values.ioc || fromFinding.iocs ? { iocs: mergeIocs(fromFinding.iocs ?? {}, flagIocs) } : {}),
    ...(values.allowlist ? { allowlist: parse(await readFile(values.allowlist, 'utf8')) } : {}),
    ...(values.sigma ? { sigmaRules: await readSigmaFolder(values.sigma) } : {}),
    requestedBy: fromFinding.requestedBy ? `casefile CLI (${fromFinding.requestedBy})` : 'casefile CLI',
  };
  const out = resolve(values.out);
  if (request.caseId) await detectKilledRun(new FileEvidenceStore(out), request.caseId);
  if (fromFinding.caseId && fromFinding.findingUpdatedAt) {
    const store = new FileEvidenceStore(out);
    if (await store.exists(caseFiles(fromFinding.caseId).caseRecord.key)) {
      return extendFromFinding(resolve(values.logs), out, request, fromFinding.findingUpdatedAt);
    }
  }
  return runAndReport(resolve(values.logs), out, request);
}

/**
 * A saved finding whose case exists already (GuardDuty published it again): the same `updatedAt`
 * changes nothing, a later one runs the case again to the finding's new end, as in AWS.
 */
async function extendFromFinding(
  logs: string,
  out: string,
  request: InvestigationRequest,
  updatedAt: string,
): Promise<number> {
  const caseId = request.caseId as string;
  let exitCode = 0;
  const outcome = await extendCaseFromFinding(
    {
      store: new FileEvidenceStore(out),
      start: async (next) => {
        console.error(
          `Finding updated at ${updatedAt}: run ${(next as { rerun: { run: number } }).rerun.run} of case ${caseId}.`,
        );
        exitCode = await runAndReport(logs, out, next as InvestigationRequest);
        return { kind: 'started', caseId, caseFolder: join(out, caseId), executionArn: '' };
      },
    },
    { caseId, updatedAt, to: request.to as string, iocs: request.iocs ?? {} },
  );
  if (outcome.kind === 'already-seen') {
    console.error(
      `casefile: run ${outcome.run} of case ${caseId} already covers the finding as updated at ${updatedAt}; nothing to do.`,
    );
    console.log(join(out, caseId));
    return 0;
  }
  if (outcome.kind === 'skipped') {
    console.error(
      `casefile: case ${caseId} is still in run ${outcome.running.run}; try the finding again once it ends.`,
    );
    return 1;
  }
  return exitCode;
}

/** `rerun --case <case folder>`: the next run of a finished case, over the same or a grown folder of logs. */
async function rerun(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      case: { type: 'string' },
      logs: { type: 'string' },
      to: { type: 'string' },
      ioc: { type: 'string', multiple: true },
    },
    strict: true,
  });
  if (!values.case || !values.logs || !(await stat(values.logs).catch(() => null))?.isDirectory()) {
    console.error(
      `casefile rerun needs --case <case folder> and --logs <dir>, an existing folder of logs.\n\n${USAGE}`,
    );
    return 2;
  }
  const folder = resolve(values.case);
  const out = dirname(folder);
  const caseId = basename(folder);
  const store = new FileEvidenceStore(out);
  await detectKilledRun(store, caseId);
  const next = await planNextRun(
    store,
    caseId,
    { trigger: 'cli', ...(values.to ? { to: values.to } : {}) },
    values.ioc ? iocsFromFlags(values.ioc) : undefined,
  );
  if (next.kind === 'no-case') {
    console.error(`casefile: ${folder} holds no case: there is nothing to run again.`);
    return 2;
  }
  if (next.kind === 'still-running') {
    console.error(
      `casefile: case ${caseId} is still in run ${next.running.run} (${next.running.runId}); run it again once that ends.`,
    );
    return 1;
  }
  console.error(`Run ${next.request.rerun.run} of case ${caseId}.`);
  return runAndReport(resolve(values.logs), out, next.request);
}

/** `--resume <case folder>`: a new run takes the interrupted case over and runs it again from the start. */
async function resume(caseFolder: string, logs: string): Promise<number> {
  const runId = newLocalRunId();
  const out = dirname(caseFolder);
  const store = new FileEvidenceStore(out).forRun(runId);
  const request = await takeOverInterruptedCase(store, basename(caseFolder), runId);
  console.error(`Resuming case ${request.caseId} as run ${runId}.`);
  return runAndReport(logs, out, request, runId);
}

/** A saved GuardDuty finding scopes the case as the EventBridge trigger would: window, indicators, reason. */
async function requestFromFindingFile(path: string): Promise<InvestigationRequest> {
  const finding = findingFromDocument(JSON.parse(await readFile(path, 'utf8')));
  const { request } = investigationFromFinding(finding, { ...defaultFindingScope, now: new Date() });
  const { accounts: _accounts, regions: _regions, ...scoped } = request;
  return scoped;
}

function mergeIocs(a: Record<string, string[]>, b: Record<string, string[]>): Record<string, string[]> {
  const merged: Record<string, string[]> = { ...a };
  for (const [type, values] of Object.entries(b))
    merged[type] = [...new Set([...(merged[type] ?? []), ...values])];
  return merged;
}

/** The rule files of a Sigma folder, sent with the request as the API would send them. */
async function readSigmaFolder(dir: string): Promise<{ file: string; text: string }[]> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => /\.ya?ml$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      file: file.split(sep).join('/'),
      text: await readFile(resolve(dir, file), 'utf8'),
    })),
  );
}

/** `--ioc accessKeyIds=AKIA... --ioc ips=203.0.113.7` → `{ accessKeyIds: [...], ips: [...] }`. */
function iocsFromFlags(flags: string[]): Record<string, string[]> {
  const iocs: Record<string, string[]> = {};
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at < 1) throw new Error(`--ioc takes type=value (types: ${iocTypes.join(', ')}), got '${flag}'.`);
    const type = flag.slice(0, at);
    iocs[type] = [...(iocs[type] ?? []), flag.slice(at + 1)];
  }
  return iocs;
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      logs: { type: 'string' },
      out: { type: 'string', default: 'cases' },
      port: { type: 'string', default: '8470' },
    },
    strict: true,
  });
  if (!values.logs || !(await stat(values.logs).catch(() => null))?.isDirectory()) {
    console.error(`casefile serve needs --logs <dir>, an existing folder of logs.\n\n${USAGE}`);
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`--port must be a port number, got '${values.port}'.`);
    return 2;
  }
  const { serveInvestigations } = await import('./investigations-server.js');
  const { server, url } = await serveInvestigations({
    logs: resolve(values.logs),
    out: resolve(values.out ?? 'cases'),
    port,
    log: (line) => console.error(line),
  });
  console.error(`casefile serve: the investigations API on ${url} (Ctrl-C stops it)`);
  console.log(url);
  await new Promise<void>((done) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => server.close(() => done()));
  });
  return 0;
}

async function demo(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string', default: 'cases' } },
    strict: true,
  });
  const { generateDemoLogs } = await import('../demo/generate-demo-logs.js');
  const logs = resolve('.demo', 'logs');
  const out = resolve(values.out ?? 'cases');
  const demoCase = resolve(out, 'demo');
  // The demo is re-run at will, but only a folder the demo made is ever removed: a marker says so.
  const marker = resolve(out, DEMO_MARKER);
  if (await stat(demoCase).catch(() => null)) {
    if (!(await stat(marker).catch(() => null))) {
      console.error(
        `casefile: ${demoCase} exists and was not made by casefile demo; it is left alone. Choose another --out.`,
      );
      return 2;
    }
    await rm(demoCase, { recursive: true, force: true });
  }
  await rm(logs, { recursive: true, force: true });
  const generated = await generateDemoLogs(logs);
  console.error(
    `Demo logs: ${generated.records} CloudTrail records in ${generated.files} files under ${logs}`,
  );
  await mkdir(out, { recursive: true });
  await writeFile(
    marker,
    'The demo/ folder beside this file was made by casefile demo, which may remove it.\n',
  );
  return runAndReport(logs, out, { caseId: 'demo', requestedBy: 'casefile demo' });
}

/** Beside the demo case, not in it: the case folder holds only what the run wrote. */
const DEMO_MARKER = '.casefile-demo-folder';

async function runAndReport(
  logs: string,
  out: string,
  request: InvestigationRequest,
  runId?: string,
): Promise<number> {
  const progress = progressPrinter();
  const started = performance.now();
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => abort.abort(signal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let outcome: Awaited<ReturnType<typeof runInvestigationLocally>>;
  try {
    outcome = await runInvestigationLocally({
      logs,
      out,
      request,
      onProgress: progress.update,
      signal: abort.signal,
      ...(runId ? { runId } : {}),
    });
  } catch (error) {
    if (!(error instanceof InvestigationInterruptedError)) throw error;
    progress.finish();
    console.error(
      `casefile: ${error.message}${error.caseFolder ? ` Finish it with: casefile investigate --resume ${error.caseFolder} --logs ${logs}` : ''}`,
    );
    // A query may still be running in DuckDB; the process ends rather than wait for it.
    process.exit(abort.signal.reason === 'SIGTERM' ? 143 : 130);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  progress.finish();
  const caseId = basename(outcome.caseFolder);
  const run = request.rerun?.run ?? 1;
  const summary = await readCaseFile(new FileEvidenceStore(out), caseFiles(caseId, run).summary);
  const s = summary.findingsBySeverity;
  const withFindings = new Set(summary.findings.map((f) => f.huntId));
  const onlySuppressed = summary.suppressedByAllowlist.filter((h) => !withFindings.has(h.huntId));
  console.error(
    `Done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${summary.findings.length} hunts with findings ` +
      `(${s.critical} critical, ${s.high} high, ${s.medium} medium), ` +
      (onlySuppressed.length > 0
        ? `${onlySuppressed.length} more matched only rows the allowlist suppressed, `
        : '') +
      `${summary.hunts.failed} failed, ` +
      `${summary.skipped.length} inputs skipped. Read report.md first.`,
  );
  console.error(
    `manifest.json SHA-256: ${outcome.manifestSha256} (keep it elsewhere; verify --manifest-sha256 checks it)`,
  );
  // The report's path goes to stderr: the last line on stdout stays the case folder, for scripts.
  const layout = caseFolderLayout(caseId, run);
  if (run > 1) {
    const newHits = await readCaseFile(new FileEvidenceStore(out), caseFiles(caseId, run).newHits);
    console.error(`Run ${run}: ${newHits.newHits.length} new hit(s), ${newHits.seenBefore} found again.`);
  }
  console.error(`Report: ${join(outcome.caseFolder, layout.relative(layout.reportHtml))}`);
  console.log(outcome.caseFolder);
  return 0;
}

function progressPrinter() {
  const tty = process.stderr.isTTY;
  let lastPercent = -1;
  return {
    update(event: ProgressEvent) {
      if (event.kind === 'step') {
        if (tty && lastPercent >= 0) process.stderr.write('\n');
        lastPercent = -1;
        process.stderr.write(`→ ${event.state}\n`);
      } else if (event.kind === 'retry') {
        process.stderr.write(`  retrying ${event.state} after ${event.error}\n`);
      } else {
        const percent = Math.floor((event.done / event.total) * 100);
        const bar = `${'█'.repeat(Math.floor(percent / 5))}${'░'.repeat(20 - Math.floor(percent / 5))}`;
        const line = `  hunts ${bar} ${event.done}/${event.total}`;
        if (tty) {
          process.stderr.write(`\r${line}`);
          lastPercent = percent;
        } else if (lastPercent < 0 || percent >= lastPercent + 25 || event.done === event.total) {
          // Logs and CI get a line a quarter, not a line a hunt.
          process.stderr.write(`${line}\n`);
          lastPercent = percent;
        }
      }
    },
    finish() {
      if (tty && lastPercent >= 0) process.stderr.write('\n');
    },
  };
}

async function verify(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'manifest-sha256': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [folder] = positionals;
  if (!folder) {
    console.error(`verify needs the case folder.\n\n${USAGE}`);
    return 2;
  }
  const caseFolder = resolve(folder);
  const result = await verifyCase(
    new FileEvidenceStore(dirname(caseFolder)),
    basename(caseFolder),
    values['manifest-sha256'],
  );
  for (const problem of result.manifestProblems) console.log(`MANIFEST ${problem}`);
  for (const file of result.altered) console.log(`ALTERED ${file}`);
  for (const file of result.missing) console.log(`MISSING ${file}`);
  for (const file of result.added) console.log(`ADDED   ${file}`);
  const intact =
    result.manifestProblems.length + result.altered.length + result.missing.length + result.added.length ===
    0;
  console.log(
    `${result.verified} file(s) match the manifest${intact ? '; the case is intact.' : '; the case was changed.'}`,
  );
  return intact ? 0 : 1;
}

async function listHunts(): Promise<number> {
  const hunts = await loadHuntLibrary();
  for (const h of hunts) {
    console.log(
      [h.id.padEnd(48), h.severity.padEnd(8), h.mitre.join(',').padEnd(22), h.sources.join(',')].join(' '),
    );
  }
  console.error(`${hunts.length} hunts`);
  return 0;
}

/** Exit code 1 while a used-in-the-wild API that changes posture is neither covered nor explained. */
async function huntCoverage(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' } } });
  const { catalogue, explanations } = await loadCoverageInputs();
  const report = assessHuntCoverage(await loadHuntLibrary(), catalogue, explanations);
  const markdown = renderCoverageMarkdown(report);
  if (values.out) {
    const dir = resolve(values.out);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'coverage.md'), markdown);
    await writeFile(join(dir, 'coverage.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(dir);
  } else {
    console.log(markdown);
  }
  for (const gap of report.gaps)
    console.error(`NOT COVERED ${gap.api}: no hunt selects it and no reason is given`);
  for (const key of report.staleExplanations)
    console.error(`STALE ${key}: explained as uncovered, but a hunt covers it or the catalogue dropped it`);
  return report.gaps.length + report.staleExplanations.length === 0 ? 0 : 1;
}

async function testHunts(): Promise<number> {
  let failed = 0;
  let passed = 0;
  const engine = await openHuntTestEngine();
  try {
    for (const hunt of await loadHuntLibrary()) {
      for (const outcome of await runHuntTests(hunt, engine)) {
        if (outcome.passed) passed += 1;
        else {
          failed += 1;
          console.log(`FAIL ${outcome.huntId}: ${outcome.test}: ${outcome.detail}`);
        }
      }
    }
  } finally {
    engine.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
