import {
  ApiBlueprint,
  createApiRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  IntegratedServicesApi,
  IntegratedServicesClient,
} from '@pipeline-portal/plugin-integrated-services-common';

export const integratedServicesApiRef = createApiRef<IntegratedServicesApi>({
  id: 'plugin.integrated-services.api',
});

/** The typed REST client, calling the backend with the user's token. */
export const integratedServicesApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: integratedServicesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new IntegratedServicesClient({ discoveryApi, fetchApi }),
    }),
});
