import { readdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { startNextRun } from '../../api/case-reruns.js';
import { handleApiRequest, type InvestigationsApiDeps } from '../../api/investigations-api.js';
import { MAX_BODY_BYTES } from '../../api/request-rules.js';
import type { StartOutcome } from '../../api/start-outcome.js';
import { CASE_ID, type InvestigationRequest, validateInvestigationRequest } from '../../domain/case.js';
import { caseFiles } from '../../domain/case-files.js';
import { caseFolderLayout } from '../../domain/case-folder-layout.js';
import { parseCaseSchedule, scheduleEnd } from '../../domain/case-schedule.js';
import { loadHuntLibrary } from '../../hunts/hunt-library.js';
import { readCaseFileIfPresent } from '../../ports/evidence-store.js';
import { FileEvidenceStore } from '../adapters/file-evidence-store.js';
import { DOWNLOADS_PATH, LocalDownloadLinks } from './local-download-links.js';
import { runInvestigationLocally } from './local-runner.js';
import { LocalSchedules } from './local-schedules.js';

export interface ServeOptions {
  logs: string;
  out: string;
  port: number;
  /** Loopback only by default: the API starts investigations over local evidence, it is not a public service. */
  host?: string;
  log?: (line: string) => void;
  /** The clock schedules are due by; tests bring their own and call `schedules.tick()`. */
  now?: () => Date;
  /** How often due schedules are looked for; 0 leaves it to the caller. */
  scheduleCheckMs?: number;
}

/**
 * `casefile serve`: the investigations API of `api/openapi.yaml` on localhost. Cases run one after
 * another on the embedded engine, over the logs folder that stands in for the account's log buckets.
 */
export async function serveInvestigations(
  options: ServeOptions,
): Promise<{ server: Server; url: string; schedules: LocalSchedules; idle: () => Promise<unknown> }> {
  const store = new FileEvidenceStore(options.out);
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => new Date());
  const started = new Map<string, Record<string, unknown>>();
  let queue: Promise<unknown> = Promise.resolve();
  let huntIds: ReadonlySet<string> | undefined;
  let baseUrl = '';
  const links = new LocalDownloadLinks(store, () => baseUrl);

  /** Runs one execution after the others, as the one embedded engine allows. */
  const enqueue = (name: string, input: Record<string, unknown>) => {
    started.set(name, input);
    queue = queue.then(() =>
      runInvestigationLocally({
        logs: options.logs,
        out: options.out,
        request: input as InvestigationRequest,
      })
        .then(() => log(`${name} completed`))
        .catch((error: Error) => log(`${name} failed: ${error.message}`)),
    );
    log(`${name} queued`);
  };
  // An execution name is used once, as in Step Functions: a re-run already queued is not queued twice.
  const startRun = async (request: Record<string, unknown>, name: string): Promise<StartOutcome> => {
    const caseId = String(request.caseId);
    const caseFolder = store.locate(caseFolderLayout(caseId).root);
    if (started.has(name)) return { kind: 'existing', caseId, caseFolder, executionArn: `local:${name}` };
    enqueue(name, request);
    return {
      kind: 'started',
      caseId,
      caseFolder,
      executionArn: `local:${name}`,
      startDate: now().toISOString(),
    };
  };
  const schedules = new LocalSchedules(
    now,
    (caseId) => startNextRun({ store, start: startRun }, caseId, { trigger: 'schedule' }),
    log,
  );

  const deps: InvestigationsApiDeps = {
    store,
    downloadLink: async (key, request) => links.link(key, request),
    now: () => new Date(),
    isStarting: async (caseId) => started.has(caseId),
    knownHuntIds: async () => {
      huntIds ??= new Set((await loadHuntLibrary()).map((h) => h.id));
      return huntIds;
    },
    async start(request): Promise<StartOutcome> {
      const validated = validateInvestigationRequest(request, 'duckdb', now());
      const caseId = validated.context.caseId;
      const input = { ...request, caseId };
      const caseFolder = store.locate(caseFolderLayout(caseId).root);
      const executionArn = `local:${caseId}`;
      const earlier = started.get(caseId) ?? (await requestOfCase(store, caseId));
      if (earlier !== null) {
        const kind = isDeepStrictEqual(earlier, input) ? 'existing' : 'conflict';
        return { kind, caseId, caseFolder, executionArn };
      }
      enqueue(caseId, input);
      const startDate = now();
      return {
        kind: 'started',
        caseId,
        caseFolder,
        executionArn,
        startDate: startDate.toISOString(),
        ...(validated.schedule ? { schedule: schedules.add(caseId, validated.schedule, startDate) } : {}),
      };
    },
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path.startsWith(DOWNLOADS_PATH)) {
      links
        .download(path.slice(DOWNLOADS_PATH.length))
        .then((found) => {
          if (found) res.writeHead(200, found.headers).end(found.body);
          else
            res
              .writeHead(404, { 'content-type': 'application/json' })
              .end(
                JSON.stringify({ error: 'NotFound', message: 'No such download link, or it has expired.' }),
              );
        })
        .catch((error: Error) => {
          log(`error: ${error.stack ?? error.message}`);
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: 'InternalError', message: error.message }));
        });
      return;
    }
    readBody(req)
      .then((body) =>
        handleApiRequest(
          {
            method: req.method ?? 'GET',
            path: new URL(req.url ?? '/', 'http://localhost').pathname,
            query: Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams),
            headers: Object.fromEntries(
              Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
            ),
            body,
          },
          deps,
        ),
      )
      .then((answer) => {
        res.writeHead(answer.statusCode, answer.headers).end(answer.body);
      })
      .catch((error: Error) => {
        log(`error: ${error.stack ?? error.message}`);
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'InternalError', message: error.message }));
      });
  });
  await resumeSchedules(store, options.out, schedules, now());
  const checkMs = options.scheduleCheckMs ?? 30_000;
  if (checkMs > 0) {
    const timer = setInterval(() => {
      schedules.tick().catch((error: Error) => log(`schedules: ${error.message}`));
    }, checkMs);
    timer.unref();
    server.on('close', () => clearInterval(timer));
  }
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  baseUrl = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  return { server, url: baseUrl, schedules, idle: () => queue };
}

/**
 * The schedules of cases in the folder whose days are not over: a restarted server keeps running
 * them, counted from when each case opened.
 */
async function resumeSchedules(store: FileEvidenceStore, out: string, schedules: LocalSchedules, now: Date) {
  const entries = await readdir(out, { withFileTypes: true }).catch(() => []);
  for (const entry of entries.filter((e) => e.isDirectory() && CASE_ID.test(e.name))) {
    const record = await readCaseFileIfPresent(store, caseFiles(entry.name).caseRecord).catch(() => null);
    const raw = (record?.request as { schedule?: unknown } | undefined)?.schedule;
    if (!record || raw === undefined) continue;
    try {
      const schedule = parseCaseSchedule(raw);
      const openedAt = new Date(record.timings.openedAt);
      if (schedule && scheduleEnd(schedule, openedAt) > now) schedules.add(entry.name, schedule, openedAt);
    } catch {
      // A schedule this version no longer accepts is not run.
    }
  }
}

/** The request a case folder was opened with, when the case exists (a case from an earlier serve or CLI run). */
async function requestOfCase(
  store: FileEvidenceStore,
  caseId: string,
): Promise<Record<string, unknown> | null> {
  const record = await readCaseFileIfPresent(store, caseFiles(caseId).caseRecord);
  if (record === null) return null;
  return (record.request ?? {}) as Record<string, unknown>;
}

/**
 * Keeps at most one byte more than the API accepts (an endless body costs no memory) and lets the
 * API answer 413 for it; the rest is drained so the client reads the answer.
 */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      size += chunk.length;
    });
    req.on('end', () => resolve(chunks.length === 0 ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
