import {
  ApiBlueprint,
  createApiRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  SpotguidesApi,
  SpotguidesClient,
} from '@pipeline-portal/plugin-spotguides-common';

export const spotguidesApiRef = createApiRef<SpotguidesApi>({
  id: 'plugin.spotguides.api',
});

/** The typed REST client of the trigger engine, with the user's token. */
export const spotguidesApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: spotguidesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new SpotguidesClient({ discoveryApi, fetchApi }),
    }),
});
