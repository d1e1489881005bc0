import type { CaseContext } from '../../shared/domain/case.js';
import type { CaseAdapters } from '../../shared/ports/case-adapters.js';
import type { QueryEngine, QueryOptions, QueryResult } from '../../shared/ports/query-engine.js';
import { MemoryEvidenceStore } from './memory-evidence-store.js';

export const testContext: CaseContext = {
  caseId: 'case-1',
  window: { from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T00:00:00.000Z' },
  closedWindow: { from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T00:00:00.000Z' },
  engine: 'duckdb',
  openedAt: '2024-05-02T08:00:00.000Z',
  maxConcurrency: 4,
  huntIds: null,
  iocs: {},
  requestedBy: null,
  reason: null,
};

type Answer = (sql: string, options: QueryOptions) => QueryResult | Error;

/** A query engine that answers from a script and remembers every query it was asked. */
export class ScriptedQueryEngine implements QueryEngine {
  readonly name = 'duckdb' as const;
  readonly queries: { sql: string; parameters: QueryOptions['parameters'] }[] = [];

  constructor(private readonly answer: Answer) {}

  async run(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    this.queries.push({ sql, parameters: options.parameters });
    const answer = this.answer(sql, options);
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

/** A query result as an engine returns it: every row kept, the statistics given. */
export function queryResult(
  rows: Record<string, string | null>[],
  stats: QueryResult['stats'] = { durationMs: 5 },
): QueryResult {
  return { columns: Object.keys(rows[0] ?? {}), rows, rowCount: rows.length, truncated: false, stats };
}

const unused = (port: string) =>
  new Proxy({}, { get: () => () => Promise.reject(new Error(`${port} is not part of this test`)) });

/** The adapters of one step over an in-memory case folder; ports a test does not give fail when used. */
export function fakeCaseAdapters(
  overrides: Partial<CaseAdapters> = {},
): CaseAdapters & { store: MemoryEvidenceStore } {
  return {
    engineName: 'duckdb',
    store: new MemoryEvidenceStore(),
    inventory: unused('the log inventory') as CaseAdapters['inventory'],
    exporter: unused('the log exporter') as CaseAdapters['exporter'],
    tables: unused('the table builder') as CaseAdapters['tables'],
    engine: new ScriptedQueryEngine(() => new Error('no query was expected')),
    now: () => new Date('2024-05-02T09:00:00.000Z'),
    ...overrides,
  } as CaseAdapters & { store: MemoryEvidenceStore };
}
