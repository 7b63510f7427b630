import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { ReactElement } from 'react';
import { integratedServicesApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { MockServicesApi } from './mocks';

/**
 * `element` in a test app with the mocked API. The permission hook caches its
 * answers per permission and resource: a test that denies uses its own cluster.
 */
export function renderWithApi(
  element: ReactElement,
  api: MockServicesApi,
  authorize: Parameters<typeof mockApis.permission>[0] = {},
) {
  return renderInTestApp(element, {
    apis: [[integratedServicesApiRef, api], mockApis.permission(authorize)],
    mountedRoutes: {
      '/integrated-services': rootRouteRef,
    },
  });
}
