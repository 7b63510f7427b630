#!/usr/bin/env node
// bench/services plan: the planner on a generated 500-version graph (see plan.ts).
// Loads the TypeScript sources through the Backstage CLI's SWC hook.
//   node bench/services/plan.mjs [--versions 500] [--runs 7]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require(require.resolve('@backstage/cli-node/config/nodeTransform.cjs'));
require('./plan.ts');
