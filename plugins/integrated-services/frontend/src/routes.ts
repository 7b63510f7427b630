import {
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

/** The fleet of instances across clusters, `/integrated-services` in the app. */
export const rootRouteRef = createRouteRef();

/** One cluster's services. */
export const clusterServicesRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/clusters/:cluster',
});
