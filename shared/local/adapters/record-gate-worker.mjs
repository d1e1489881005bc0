// A worker thread of the record gate's pool. Plain JavaScript so that it starts without a loader,
// then registers tsx for the TypeScript it imports, as bin/casefile.mjs does for the CLI.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { gateRecords } = await import('./record-gate.ts');
const { logSourceModule } = await import('../../sources/registry.ts');

parentPort.on('message', async ({ id, file, source, cleanPath }) => {
  try {
    parentPort.postMessage({ id, gated: await gateRecords(file, logSourceModule(source), cleanPath) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
