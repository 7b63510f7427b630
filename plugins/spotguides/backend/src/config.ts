import type { Config } from '@backstage/config';
import type { RunSafetyOptions } from '@pipeline-portal/plugin-spotguides-common';
import { PIPELINE_SERVICE_ACCOUNT } from '@pipeline-portal/plugin-pipeline-clusters-common';

const RESOLVERS = ['http', 'git', 'bundles', 'hub'] as const;

/** What a pipeline file may ask of a run (`pipelinePortal.spotguides.runs`). */
export function readRunPolicy(
  config: Config,
): Omit<RunSafetyOptions, 'namespace'> {
  const allowed = config.getOptionalConfig(
    'pipelinePortal.spotguides.runs.allowedResolvers',
  );
  return {
    serviceAccount: PIPELINE_SERVICE_ACCOUNT,
    allowedResolvers: Object.fromEntries(
      RESOLVERS.map(r => [r, allowed?.getOptionalStringArray(r) ?? []]),
    ),
  };
}
