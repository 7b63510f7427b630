#!/usr/bin/env node
/* eslint-disable no-console */
// Runs the GitHub double as its own process:
//   node packages/testing/bin/github.js [--port N] [--token T] [--rate-limit N|none]
// Prints one JSON line ({ url, webUrl, host, token, login }) and runs until SIGTERM/SIGINT.

// The package ships TypeScript sources; this is the SWC hook the Backstage CLI uses.
require('@backstage/cli/config/nodeTransform.cjs');
const { startGitHub } = require('../src/github');

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const rate = arg('rate-limit');
  const gh = await startGitHub({
    port: arg('port') ? Number(arg('port')) : undefined,
    token: arg('token'),
    rateLimit: rate === 'none' ? Infinity : rate && Number(rate),
  });
  console.log(
    JSON.stringify({
      url: gh.url,
      webUrl: gh.webUrl,
      host: gh.host,
      token: gh.token,
      login: gh.login,
    }),
  );
  const stop = () => gh.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
