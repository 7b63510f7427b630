#!/usr/bin/env node
// bench/trigger: signed GitHub push deliveries through the real portal's
// events endpoint to Tekton PipelineRuns on the Kubernetes double; prints
// deliveries/s accepted, accepted -> run latency and the primary quota spent
// reading unchanged .tekton/ folders against their targets. Loads run.ts
// through the Backstage CLI's SWC hook. Needs PostgreSQL on 127.0.0.1:5432.
//   node bench/trigger/run.mjs [--runs 3] [--repos 10] [--rate 200]
//     [--duration 10] [--burst 2000] [--concurrency 32] [--cpu-prof]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require(require.resolve('@backstage/cli-node/config/nodeTransform.cjs'));
require('./run.ts');
