import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup: every temporary folder a test run makes (`mkdtemp` under `os.tmpdir()`, DuckDB
 * spill folders, the CLI processes tests start) lands in one folder per run, removed when the run
 * ends. Without it each `npm test` left a few hundred folders in /tmp. Workers and child processes
 * start after this and inherit `TMPDIR`, which `os.tmpdir()` reads.
 */
export default function useScratchTmpdir(): () => void {
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'casefile-test-run-'));
  // Like /tmp itself: tests that drop privileges (an unreadable-file test runs as nobody) write here too.
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
