#!/usr/bin/env node
// bench/clusters: reconcile 200 clusters against the Kubernetes double (see
// reconcile.ts). Loads the TypeScript sources through the Backstage CLI's
// SWC hook, in this process, so the double's request log is at hand.
//   node bench/clusters/reconcile.mjs [--clusters 200] [--runs 3] [--latency 20]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The distribution test harness (sample specs, credentials, CRD list) calls
// jest.setTimeout when loaded; nothing else of Jest is used.
globalThis.jest ??= { setTimeout() {} };
require(require.resolve('@backstage/cli-node/config/nodeTransform.cjs'));
require('./reconcile.ts');
