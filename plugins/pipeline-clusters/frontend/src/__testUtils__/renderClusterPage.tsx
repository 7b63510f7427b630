import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { pipelineClustersApiRef } from '../api';
import { ClusterPage } from '../components/ClusterPage/ClusterPage';
import { rootRouteRef } from '../routes';
import { MockClustersApi } from './mocks';

/**
 * The cluster page of `name` in a test app. The permission hook caches its
 * answers per permission and cluster: a test that denies uses its own name.
 */
export function renderClusterPage(
  api: MockClustersApi,
  authorize: Parameters<typeof mockApis.permission>[0] = {},
  name = 'prod-1',
) {
  return renderInTestApp(<ClusterPage />, {
    apis: [[pipelineClustersApiRef, api], mockApis.permission(authorize)],
    mountPath: '/clusters/:name',
    initialRouteEntries: [`/clusters/${name}`],
    mountedRoutes: {
      '/clusters': rootRouteRef,
      '/catalog/:namespace/:kind/:name': entityRouteRef,
    },
  });
}
