import type { Config } from '@backstage/config';
import { DEFAULT_NAMESPACE } from './core/instance';

/** The plugin's settings, with the defaults config.d.ts documents. */
export interface IntegratedServicesSettings {
  namespace: string;
  intervalSeconds: number;
  concurrency: number;
  requestsPerSecondPerCluster: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  definitionsCacheMs: number;
}

export function readIntegratedServicesConfig(
  config: Config,
): IntegratedServicesSettings {
  const c = config.getOptionalConfig('pipelinePortal.integratedServices');
  const r = c?.getOptionalConfig('reconcile');
  return {
    namespace: c?.getOptionalString('namespace') ?? DEFAULT_NAMESPACE,
    intervalSeconds: r?.getOptionalNumber('intervalSeconds') ?? 15,
    concurrency: r?.getOptionalNumber('concurrency') ?? 50,
    requestsPerSecondPerCluster:
      r?.getOptionalNumber('requestsPerSecondPerCluster') ?? 25,
    baseBackoffMs: (r?.getOptionalNumber('baseBackoffSeconds') ?? 5) * 1000,
    maxBackoffMs: (r?.getOptionalNumber('maxBackoffSeconds') ?? 300) * 1000,
    definitionsCacheMs:
      (c?.getOptionalNumber('definitionsCacheSeconds') ?? 30) * 1000,
  };
}
