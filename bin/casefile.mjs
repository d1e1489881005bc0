#!/usr/bin/env node
// The CLI runs the TypeScript sources directly; npm scripts and npx put the project's Node 22 first on PATH.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(
    `casefile needs Node.js 22 or later (this is ${process.version}). Run it through npm: npx casefile ...`,
  );
  process.exit(2);
}
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../shared/local/app/cli.ts');
process.exitCode = await main(process.argv.slice(2));
