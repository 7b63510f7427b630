/**
 * The clusters of bench/services fleet as one process of their own: the
 * Kubernetes double with the Flux and ServiceInstance CRDs and Flux played,
 * one namespace per cluster (bc000, bc001, ...) holding that cluster's
 * ServiceInstances and Flux objects, so that the double's TLS and validation
 * do not share the portal's event loop. Driven over IPC.
 */
import {
  FLUX_CRDS,
  playFlux,
  playJobs,
  startKubeApi,
} from '@pipeline-portal/testing';
import path from 'node:path';
import { instanceObject } from '../../../plugins/integrated-services/backend/src/core/instance';

const INSTANCE_CRD = path.resolve(
  __dirname,
  '../../../plugins/integrated-services/backend/crds/serviceinstances.integratedservices.pipeline-portal.io.yaml',
);

type Message =
  | { type: 'latency'; id: number; ms: number }
  | {
      type: 'seed';
      id: number;
      namespaces: string[];
      instances: Array<{ service: string; spec: Record<string, unknown> }>;
    }
  | { type: 'phases'; id: number }
  | { type: 'log'; id: number; since: number; until: number };

async function main() {
  const namespaces = JSON.parse(process.argv[2] ?? '[]') as string[];
  const api = await startKubeApi({
    crds: [...FLUX_CRDS, INSTANCE_CRD],
    namespaces,
  });
  const flux = playFlux(api, { readyAfterMs: 5 });
  const jobs = playJobs(api, { completeAfterMs: 5 });
  process.on('message', (m: Message) => {
    if (m.type === 'latency') {
      api.faults.add({ latencyMs: m.ms });
      process.send!({ id: m.id });
    } else if (m.type === 'seed') {
      for (const ns of m.namespaces) {
        for (const i of m.instances) {
          api.create(instanceObject(ns, { ...i, spec: i.spec as any }) as any);
        }
      }
      process.send!({ id: m.id });
    } else if (m.type === 'phases') {
      const counts: Record<string, number> = {};
      for (const ns of namespaces) {
        for (const i of api.list(
          'integratedservices.pipeline-portal.io/v1alpha1',
          'ServiceInstance',
          { namespace: ns },
        ) as any[]) {
          const phase = i.status?.phase ?? 'none';
          counts[phase] = (counts[phase] ?? 0) + 1;
        }
      }
      process.send!({ id: m.id, counts });
    } else if (m.type === 'log') {
      const records = api.requests
        .list(r => r.timestamp >= m.since && r.timestamp <= m.until && !r.watch)
        .map(r => ({
          timestamp: r.timestamp,
          method: r.method,
          path: r.path,
          durationMs: r.durationMs,
        }));
      process.send!({ id: m.id, records });
    }
  });
  process.on('disconnect', () => {
    flux.stop();
    jobs.stop();
    api.close().finally(() => process.exit(0));
  });
  process.send!({ id: 0, url: api.url, caData: api.caData, token: api.token });
}

main().catch(error => {
  process.stderr.write(`${error}\n`);
  process.exit(1);
});
