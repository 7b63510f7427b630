import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import ExtensionIcon from '@material-ui/icons/Extension';
import NavigationIcon from '@material-ui/icons/Navigation';
import { ReactElement } from 'react';
import { CapabilityPageProps } from './CapabilityPage';

function capabilityPlugin(
  props: CapabilityPageProps & { path: string; icon: ReactElement },
) {
  // A page needs a route ref to get a sidebar item.
  const rootRouteRef = createRouteRef();
  return createFrontendPlugin({
    pluginId: props.pluginId,
    routes: { root: rootRouteRef },
    extensions: [
      PageBlueprint.make({
        params: {
          path: props.path,
          routeRef: rootRouteRef,
          title: props.title,
          icon: props.icon,
          loader: () =>
            import('./CapabilityPage').then(m => (
              <m.CapabilityPage {...props} />
            )),
        },
      }),
    ],
  });
}

/**
 * Sidebar places and placeholder pages of the capabilities whose own plugin is
 * not there yet (Clusters has its plugin, @pipeline-portal/plugin-pipeline-clusters).
 */
export const capabilityPlugins = [
  capabilityPlugin({
    pluginId: 'integrated-services',
    path: '/integrated-services',
    title: 'Integrated services',
    icon: <ExtensionIcon />,
    description:
      'Activate monitoring, logging, DNS, secrets and vulnerability scanning on a cluster, and upgrade them along computed paths.',
  }),
  capabilityPlugin({
    pluginId: 'spotguides',
    path: '/spotguides',
    title: 'Spotguides',
    icon: <NavigationIcon />,
    description:
      'Start an application from a spotguide: a repository with its skeleton and Tekton pipelines that GitHub events run on your namespace.',
  }),
];
