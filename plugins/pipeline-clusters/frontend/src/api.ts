import {
  ApiBlueprint,
  createApiRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  PipelineClustersApi,
  PipelineClustersClient,
} from '@pipeline-portal/plugin-pipeline-clusters-common';

export const pipelineClustersApiRef = createApiRef<PipelineClustersApi>({
  id: 'plugin.pipeline-clusters.api',
});

/** The typed REST client, calling the backend with the user's token. */
export const pipelineClustersApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: pipelineClustersApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new PipelineClustersClient({ discoveryApi, fetchApi }),
    }),
});
