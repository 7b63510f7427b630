import {
  createExtensionTester,
  renderInTestApp,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { screen, waitFor } from '@testing-library/react';
import { ComponentProps } from 'react';
import { pipelineClustersApiRef } from './api';
import { EntityClusterCard } from './components/EntityClusterCard';
import plugin from './index';
import { entityClusterCard } from './plugin';
import { clusterRouteRef, rootRouteRef } from './routes';
import { makeCluster, mockClustersApi } from './__testUtils__/mocks';

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

describe('pipeline-clusters plugin', () => {
  it('provides the page the sidebar places, its API and the entity card', () => {
    expect(plugin.id).toBe('pipeline-clusters');
    expect(plugin.getExtension('page:pipeline-clusters')).toBeDefined();
    expect(plugin.getExtension('api:pipeline-clusters')).toBeDefined();
    expect(
      plugin.getExtension('entity-card:pipeline-clusters/cluster'),
    ).toBeDefined();
    expect(plugin.routes.root).toBe(rootRouteRef);
    expect(plugin.routes.cluster).toBe(clusterRouteRef);
  });

  it.each([
    ['/clusters', 'new-cluster-button'],
    ['/clusters/credentials', 'add-credential-button'],
    ['/clusters/prod-1', 'delete-cluster-button'],
  ])('routes %s to its page', async (path, testId) => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () => makeCluster()),
    });
    renderTestApp({
      features: [plugin],
      apis: [[pipelineClustersApiRef, api]],
      initialRouteEntries: [path],
    });
    expect(await screen.findByTestId(testId)).toBeInTheDocument();
  });

  it('shows the card only on annotated kubernetes-cluster Resources', () => {
    const filter = createExtensionTester(entityClusterCard).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    );
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
    expect(filter?.({ ...clusterEntity, kind: 'Component' })).toBe(false);
  });

  it('renders the cluster phase with a link to the cluster page', async () => {
    const api = mockClustersApi({
      getCluster: jest.fn(async () =>
        makeCluster({ status: { phase: 'Updating' } }),
      ),
    });
    await renderInTestApp(
      <EntityProvider entity={clusterEntity}>
        <EntityClusterCard />
      </EntityProvider>,
      {
        apis: [[pipelineClustersApiRef, api]],
        mountedRoutes: { '/clusters': rootRouteRef },
      },
    );
    await waitFor(() =>
      expect(screen.getByTestId('entity-cluster-status')).toHaveAttribute(
        'data-phase',
        'Updating',
      ),
    );
    expect(api.getCluster).toHaveBeenCalledWith('prod-1');
    expect(screen.getByTestId('entity-cluster-link')).toHaveAttribute(
      'href',
      '/clusters/prod-1',
    );
  });
});
