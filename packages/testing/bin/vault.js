#!/usr/bin/env node
/* eslint-disable no-console */
// Runs the Vault double as its own process:
//   node packages/testing/bin/vault.js [--port N] [--root-token T]
// Prints one JSON line ({ url, rootToken }) and runs until SIGTERM/SIGINT.

// The package ships TypeScript sources; this is the SWC hook the Backstage CLI uses.
require('@backstage/cli/config/nodeTransform.cjs');
const { startVault } = require('../src/vault');

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const vault = await startVault({
    port: arg('port') ? Number(arg('port')) : undefined,
    rootToken: arg('root-token'),
  });
  console.log(JSON.stringify({ url: vault.url, rootToken: vault.rootToken }));
  const stop = () => vault.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
