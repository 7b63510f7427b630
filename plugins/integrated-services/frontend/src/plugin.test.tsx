import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { screen } from '@testing-library/react';
import { ComponentProps } from 'react';
import { integratedServicesApiRef } from './api';
import { EntityClusterServices } from './components/ClusterServices/EntityClusterServices';
import plugin from './index';
import { clusterServicesContent } from './plugin';
import { clusterServicesRouteRef, rootRouteRef } from './routes';
import { mockServicesApi } from './__testUtils__/mocks';
import { renderWithApi } from './__testUtils__/render';

type Entity = NonNullable<ComponentProps<typeof EntityProvider>['entity']>;

const clusterEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'prod-1',
    annotations: { 'pipeline-portal.io/cluster': 'prod-1' },
  },
  spec: { type: 'kubernetes-cluster', owner: 'group:default/payments' },
};

describe('integrated-services plugin', () => {
  it('provides the page the sidebar places, its API and the cluster tab', () => {
    expect(plugin.id).toBe('integrated-services');
    expect(plugin.getExtension('page:integrated-services')).toBeDefined();
    expect(plugin.getExtension('api:integrated-services')).toBeDefined();
    expect(
      plugin.getExtension('entity-content:integrated-services/cluster'),
    ).toBeDefined();
    expect(plugin.routes.root).toBe(rootRouteRef);
    expect(plugin.routes.clusterServices).toBe(clusterServicesRouteRef);
  });

  it.each([
    ['/integrated-services', 'fleet-count'],
    ['/integrated-services/clusters/prod-1', 'service-row-monitoring'],
  ])('routes %s to its page', async (path, testId) => {
    renderTestApp({
      features: [plugin],
      apis: [[integratedServicesApiRef, mockServicesApi()]],
      initialRouteEntries: [path],
    });
    expect(await screen.findByTestId(testId)).toBeInTheDocument();
  });

  it('puts the tab only on annotated kubernetes-cluster Resources', () => {
    const tester = createExtensionTester(clusterServicesContent);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'Integrated services',
    );
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(filter?.(clusterEntity)).toBe(true);
    expect(
      filter?.({ ...clusterEntity, spec: { type: 'database', owner: 'x' } }),
    ).toBe(false);
    expect(
      filter?.({
        ...clusterEntity,
        metadata: { name: 'prod-1', annotations: {} },
      }),
    ).toBe(false);
  });

  it('shows the services of the cluster the entity names', async () => {
    const api = mockServicesApi();
    await renderWithApi(
      <EntityProvider entity={clusterEntity}>
        <EntityClusterServices />
      </EntityProvider>,
      api,
    );
    expect(
      await screen.findByTestId('service-row-monitoring'),
    ).toBeInTheDocument();
    expect(api.listClusterInstances).toHaveBeenCalledWith('prod-1');
  });
});
