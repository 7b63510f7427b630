#!/usr/bin/env node
// bench/services fleet: a fleet reconcile pass over 200 clusters x 8 services
// (see fleet.ts). Loads the TypeScript sources through the Backstage CLI's SWC hook.
//   node bench/services/fleet.mjs [--clusters 200] [--latency 20] [--concurrency N] [--budget N] [--shards 1] [--trace]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require(require.resolve('@backstage/cli-node/config/nodeTransform.cjs'));
require('./fleet.ts');
