/*
 * A runtime cluster for browser tests: the Kubernetes API double with the
 * Tekton and Kyverno CRDs and Tekton's PipelineRun controller played, so a run goes
 * Running, then Succeeded, at a human-visible pace. Started by
 * runtime-double.mjs; prints one JSON line { url, caData, token } and serves
 * until SIGTERM / SIGINT.
 */
import { join } from 'node:path';
import {
  defaultCrdDir,
  listManifestFiles,
  playTekton,
  startKubeApi,
  TEKTON_CRDS,
} from '../../packages/testing/src/kube';
import { serveDouble } from './serveDouble';

serveDouble('runtime-double', async () => {
  const stepMs = Number(process.env.RUN_STEP_MS ?? 1500);
  // Kyverno's CRDs: team namespaces come with their policies.
  const kyverno = listManifestFiles(join(defaultCrdDir(), 'kyverno.io'));
  const api = await startKubeApi({ crds: [...TEKTON_CRDS, ...kyverno] });
  const tekton = playTekton(api, {
    startAfterMs: stepMs,
    finishAfterMs: stepMs,
  });
  return {
    ready: { url: api.url, caData: api.caData, token: api.token },
    stop: async () => {
      tekton.stop();
      await api.close();
    },
  };
});
