// Child process entry of bench/clusters/reconcile: loads management.ts
// through the Backstage CLI's SWC hook.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The distribution test harness calls jest.setTimeout when loaded.
globalThis.jest ??= { setTimeout() {} };
require(require.resolve('@backstage/cli-node/config/nodeTransform.cjs'));
require('./management.ts');
