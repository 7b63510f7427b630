import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import NavigationIcon from '@material-ui/icons/Navigation';
import { spotguidesApi } from './api';
import { rootRouteRef } from './routes';

/** The annotation a spotguide puts on the component it created. */
export const RUNTIME_CLUSTER_ANNOTATION = 'pipeline-portal.io/runtime-cluster';

/** `page:spotguides`: deliveries and the explain panel. */
export const spotguidesPage = PageBlueprint.make({
  params: {
    path: '/spotguides',
    routeRef: rootRouteRef,
    title: 'Spotguides',
    icon: <NavigationIcon />,
    loader: () => import('./components/Router').then(m => <m.Router />),
  },
});

/** `entity-card:spotguides/pipeline-runs`, on components a spotguide made. */
export const entityPipelineRunsCard = EntityCardBlueprint.make({
  name: 'pipeline-runs',
  params: {
    filter: {
      kind: 'component',
      [`metadata.annotations.${RUNTIME_CLUSTER_ANNOTATION}`]: { $exists: true },
    },
    loader: () =>
      import('./components/EntityPipelineRunsCard').then(m => (
        <m.EntityPipelineRunsCard />
      )),
  },
});

export const spotguidesPlugin = createFrontendPlugin({
  pluginId: 'spotguides',
  title: 'Spotguides',
  icon: <NavigationIcon />,
  routes: { root: rootRouteRef },
  extensions: [spotguidesApi, spotguidesPage, entityPipelineRunsCard],
});
