// A worker thread of the record gate's pool. Plain JavaScript so that it starts without a loader,
// then registers tsx for the TypeScript it imports, as bin/casefile.mjs does for the CLI.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { gateRecords } = await import('./record-gate.ts');
const { logSourceModule } = await import('../../sources/registry.ts');
const { RecordPack } = await import('./record-pack.ts');

// A chunk of files, checked one after the other, their list files packed into `pack` when given;
// each file's outcome, or why it could not be read.
parentPort.on('message', async ({ id, source, files, pack }) => {
  const module = logSourceModule(source);
  const packed = pack ? new RecordPack(pack) : null;
  const outcomes = [];
  try {
    for (const { file, cleanPath } of files) {
      try {
        outcomes.push({ gated: await gateRecords(file, module, cleanPath, packed) });
      } catch (error) {
        outcomes.push({ error: error instanceof Error ? error.message : String(error) });
      }
    }
  } finally {
    packed?.close();
  }
  parentPort.postMessage({ id, outcomes });
});
