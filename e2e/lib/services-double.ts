/*
 * A workload cluster for the integrated-services browser test: the Kubernetes
 * API double with the Flux and ServiceInstance CRDs, Flux's source- and
 * helm-controller and Kubernetes Jobs played so that releases turn Ready at a
 * human-visible pace. Started by services-double.mjs; prints one JSON line
 * { url, caData, token } and serves until SIGTERM / SIGINT.
 */
import path from 'node:path';
import {
  FLUX_CRDS,
  playFlux,
  playJobs,
  startKubeApi,
} from '../../packages/testing/src/kube';
import { serveDouble } from './serveDouble';

const INSTANCE_CRD = path.resolve(
  __dirname,
  '../../plugins/integrated-services/backend/crds/serviceinstances.integratedservices.pipeline-portal.io.yaml',
);

serveDouble('services-double', async () => {
  const readyAfterMs = Number(process.env.READY_AFTER_MS ?? 1500);
  const api = await startKubeApi({
    crds: [...FLUX_CRDS, INSTANCE_CRD],
    namespaces: ['pipeline-system'],
  });
  const flux = playFlux(api, { readyAfterMs });
  const jobs = playJobs(api, { completeAfterMs: readyAfterMs });
  return {
    ready: { url: api.url, caData: api.caData, token: api.token },
    stop: async () => {
      flux.stop();
      jobs.stop();
      await api.close();
    },
  };
});
