#!/usr/bin/env node
// The standalone integrated-services operator (see src/operator/main.ts).
// Loads the TypeScript sources through the Backstage CLI's SWC hook, as the
// portal's own backend does in its image.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require(require.resolve('@backstage/cli-node/config/nodeTransform.cjs'));
require('../src/operator/main.ts');
