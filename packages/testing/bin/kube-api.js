#!/usr/bin/env node
/*
 * Runs the Kubernetes API double as a standalone process (for benchmarks,
 * kubectl sessions and non-Jest tests).
 *
 *   node packages/testing/bin/kube-api.js --port 0 [--crds DIR]... [--token T]
 *
 * Prints one JSON line { url, token, caData, kubeconfig } on stdout, then
 * serves until SIGTERM / SIGINT.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

// The package ships TypeScript sources: load them through the Backstage CLI's SWC require hook.
require(require.resolve('@backstage/cli/config/nodeTransform.cjs', {
  paths: [__dirname],
}));

const { startKubeApi, listManifestFiles } = require('../src/kube');

function parseArgs(argv) {
  const opts = { port: 0, crdDirs: [], token: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--port') opts.port = Number(next());
    else if (arg === '--crds') opts.crdDirs.push(path.resolve(next()));
    else if (arg === '--token') opts.token = next();
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'usage: kube-api.js [--port N] [--crds DIR]... [--token TOKEN]\n',
      );
      process.exit(0);
    } else throw new Error(`unknown argument: ${arg}`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0)
    throw new Error('--port must be a non-negative integer');
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const crds = opts.crdDirs.flatMap(dir =>
    fs.statSync(dir).isDirectory() ? listManifestFiles(dir) : [dir],
  );
  const api = await startKubeApi({ port: opts.port, token: opts.token, crds });
  const kubeconfig = api.writeKubeConfig();
  process.stdout.write(
    `${JSON.stringify({
      url: api.url,
      token: api.token,
      caData: api.caData,
      kubeconfig,
    })}\n`,
  );
  const stop = async () => {
    await api.close();
    fs.rmSync(path.dirname(kubeconfig), { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch(err => {
  process.stderr.write(`kube-api: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
