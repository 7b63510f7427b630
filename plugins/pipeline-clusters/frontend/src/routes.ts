import {
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

/** The clusters list, `/clusters` in the app. */
export const rootRouteRef = createRouteRef();

/** The credentials of one's groups, a static path ranked before `/:name`. */
export const credentialsRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/credentials',
});

/** One cluster's page. */
export const clusterRouteRef = createSubRouteRef({
  parent: rootRouteRef,
  path: '/:name',
});
