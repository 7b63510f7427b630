#!/usr/bin/env node
// bench/tenancy: the real portal fed hostile input (GitHub filter patterns
// at the size limits in .tekton/ files, long refs): the explain route's
// answer time, the trigger engine's time from delivery to decision, and the
// readiness probe's latency throughout, against their targets. Loads run.ts
// through the Backstage CLI's SWC hook. Needs PostgreSQL on 127.0.0.1:5432.
//   node bench/tenancy/run.mjs [--runs 3] [--cpu-prof]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require(require.resolve('@backstage/cli-node/config/nodeTransform.cjs'));
require('./run.ts');
