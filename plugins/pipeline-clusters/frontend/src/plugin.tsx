import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import CloudIcon from '@material-ui/icons/Cloud';
import { pipelineClustersApi } from './api';
import { clusterRouteRef, credentialsRouteRef, rootRouteRef } from './routes';

/** `page:pipeline-clusters`: the sidebar places it by this id. */
export const clustersPage = PageBlueprint.make({
  params: {
    path: '/clusters',
    routeRef: rootRouteRef,
    title: 'Clusters',
    icon: <CloudIcon />,
    loader: () => import('./components/Router').then(m => <m.Router />),
  },
});

/** `entity-card:pipeline-clusters/cluster`, on the Resources the catalog provider emits. */
export const entityClusterCard = EntityCardBlueprint.make({
  name: 'cluster',
  params: {
    filter: {
      kind: 'resource',
      'spec.type': 'kubernetes-cluster',
      'metadata.annotations.pipeline-portal.io/cluster': { $exists: true },
    },
    loader: () =>
      import('./components/EntityClusterCard').then(m => (
        <m.EntityClusterCard />
      )),
  },
});

/**
 * `scaffolder-form-field:pipeline-clusters/team-namespace-picker`: the
 * templates' `ui:field: TeamNamespacePicker`, the team namespaces of the
 * cluster chosen in another field, or a new name.
 */
export const teamNamespacePickerField = FormFieldBlueprint.make({
  name: 'team-namespace-picker',
  params: {
    field: () =>
      import('./components/TeamNamespacePicker').then(
        m => m.teamNamespacePickerFormField,
      ),
  },
});

export const pipelineClustersPlugin = createFrontendPlugin({
  pluginId: 'pipeline-clusters',
  title: 'Clusters',
  icon: <CloudIcon />,
  routes: {
    root: rootRouteRef,
    cluster: clusterRouteRef,
    credentials: credentialsRouteRef,
  },
  extensions: [
    pipelineClustersApi,
    clustersPage,
    entityClusterCard,
    teamNamespacePickerField,
  ],
});
