import {
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import ExtensionIcon from '@material-ui/icons/Extension';
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
 * not there yet (Clusters and Spotguides have their plugins).
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
];
