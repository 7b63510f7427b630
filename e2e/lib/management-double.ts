/*
 * A management cluster for browser tests: the Kubernetes API double with every
 * engine CRD, its Cluster API / Crossplane controllers played so that clusters
 * go Provisioning -> Running at a human-visible pace. Started by
 * management-double.mjs; prints one JSON line { url, caData, token } and
 * serves until SIGTERM / SIGINT.
 */
import { serveDouble } from './serveDouble';

// The distributions' test harness (shared with the Jest suites) sets Jest's
// timeout when loaded: give it a no-op outside Jest.
(globalThis as any).jest ??= { setTimeout: () => undefined };

// Loaded after the shim above (imports would be hoisted before it).
const {
  startManagementCluster,
} = require('../../plugins/pipeline-clusters/backend/src/__testUtils__/fixtures');
const {
  playEngines,
} = require('../../plugins/pipeline-clusters/backend/src/__testUtils__/engines');

serveDouble('management-double', async () => {
  const readyAfterMs = Number(process.env.READY_AFTER_MS ?? 1500);
  const api = await startManagementCluster();
  const stopEngines: () => void = playEngines(api, { readyAfterMs });
  return {
    ready: { url: api.url, caData: api.caData, token: api.token },
    stop: async () => {
      stopEngines();
      await api.close();
    },
  };
});
