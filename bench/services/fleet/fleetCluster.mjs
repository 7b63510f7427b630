// Child process entry of bench/services/fleet.mjs (not a benchmark itself): loads fleetCluster.ts through
// the Backstage CLI's SWC hook.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require(require.resolve('@backstage/cli-node/config/nodeTransform.cjs'));
require('./fleetCluster.ts');
