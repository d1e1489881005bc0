// A worker thread reading file heads for the folder inventory. Plain JavaScript so that it starts
// without a loader, then registers tsx for the TypeScript it imports, as bin/casefile.mjs does.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { sniffInThread } = await import('./file-sniff.ts');

parentPort.on('message', async ({ id, paths, root }) => {
  parentPort.postMessage({ id, verdicts: await sniffInThread(paths, root) });
});
