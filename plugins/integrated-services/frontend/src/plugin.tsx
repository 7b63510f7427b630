import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import ExtensionIcon from '@material-ui/icons/Extension';
import { integratedServicesApi } from './api';
import { clusterServicesRouteRef, rootRouteRef } from './routes';

/** `page:integrated-services`: the sidebar places it by this id. */
export const fleetPage = PageBlueprint.make({
  params: {
    path: '/integrated-services',
    routeRef: rootRouteRef,
    title: 'Integrated services',
    icon: <ExtensionIcon />,
    loader: () => import('./components/Router').then(m => <m.Router />),
  },
});

/**
 * `entity-content:integrated-services/cluster`: the Integrated services tab of
 * the cluster Resources the clusters catalog provider emits.
 */
export const clusterServicesContent = EntityContentBlueprint.make({
  name: 'cluster',
  params: {
    path: 'integrated-services',
    title: 'Integrated services',
    filter: {
      kind: 'resource',
      'spec.type': 'kubernetes-cluster',
      'metadata.annotations.pipeline-portal.io/cluster': { $exists: true },
    },
    loader: () =>
      import('./components/ClusterServices/EntityClusterServices').then(m => (
        <m.EntityClusterServices />
      )),
  },
});

export const integratedServicesPlugin = createFrontendPlugin({
  pluginId: 'integrated-services',
  title: 'Integrated services',
  icon: <ExtensionIcon />,
  routes: { root: rootRouteRef, clusterServices: clusterServicesRouteRef },
  extensions: [integratedServicesApi, fleetPage, clusterServicesContent],
});
