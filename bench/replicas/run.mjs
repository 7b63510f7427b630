#!/usr/bin/env node
// bench/replicas: the portal as one replica and as two on one PostgreSQL:
// deliveries/s turned into PipelineRuns with one and with two replicas in the
// same run (their ratio), and the hand-over gap of a global task after the
// replica running it gets SIGTERM. Loads run.ts through the Backstage CLI's
// SWC hook. Needs PostgreSQL on 127.0.0.1:5432.
//   node bench/replicas/run.mjs [--runs 3] [--repos 10] [--burst 1500]
//     [--concurrency 32] [--cadence 5]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require(require.resolve('@backstage/cli-node/config/nodeTransform.cjs'));
require('./run.ts');
