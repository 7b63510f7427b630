import {
  FLUX_CRDS,
  FluxDouble,
  JobsDouble,
  KubeApi,
  playFlux,
  playJobs,
  startKubeApi,
} from '@pipeline-portal/testing';
import path from 'node:path';
import { ClusterConnection } from '../core/ClusterConnection';

/** The ServiceInstance CRD shipped with the plugin. */
export const INSTANCE_CRD = path.resolve(
  __dirname,
  '../../crds/serviceinstances.integratedservices.pipeline-portal.io.yaml',
);

export interface TestCluster {
  api: KubeApi;
  flux: FluxDouble;
  jobs: JobsDouble;
  conn: ClusterConnection;
  close(): Promise<void>;
}

/** A Kubernetes double with the Flux and ServiceInstance CRDs and Flux played. */
export async function startTestCluster(name = 'dev'): Promise<TestCluster> {
  const api = await startKubeApi({
    crds: [...FLUX_CRDS, INSTANCE_CRD],
    namespaces: ['pipeline-system'],
  });
  const flux = playFlux(api, { readyAfterMs: 1 });
  const jobs = playJobs(api, { completeAfterMs: 1 });
  const conn = ClusterConnection.fromEndpoint({
    name,
    server: api.url,
    caData: api.caData,
    token: api.token,
  });
  return {
    api,
    flux,
    jobs,
    conn,
    async close() {
      flux.stop();
      jobs.stop();
      await api.close();
    },
  };
}
