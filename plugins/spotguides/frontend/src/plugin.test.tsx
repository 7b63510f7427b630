import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { screen } from '@testing-library/react';
import { spotguidesApiRef } from './api';
import plugin from './index';
import { entityPipelineRunsCard } from './plugin';
import { rootRouteRef } from './routes';
import { mockSpotguidesApi } from './__testUtils__/mocks';

describe('spotguides plugin', () => {
  it('provides the page the sidebar places, its API and the runs card', () => {
    expect(plugin.id).toBe('spotguides');
    expect(plugin.getExtension('page:spotguides')).toBeDefined();
    expect(plugin.getExtension('api:spotguides')).toBeDefined();
    expect(
      plugin.getExtension('entity-card:spotguides/pipeline-runs'),
    ).toBeDefined();
    expect(plugin.routes.root).toBe(rootRouteRef);
  });

  it('routes /spotguides to the deliveries page', async () => {
    renderTestApp({
      features: [plugin],
      apis: [[spotguidesApiRef, mockSpotguidesApi()]],
      initialRouteEntries: ['/spotguides'],
    });
    expect(await screen.findByTestId('deliveries-table')).toBeInTheDocument();
    expect(screen.getByTestId('explain-form')).toBeInTheDocument();
  });

  it('routes the runs commit statuses link to, by cluster, namespace and name', async () => {
    renderTestApp({
      features: [plugin],
      apis: [[spotguidesApiRef, mockSpotguidesApi()]],
      initialRouteEntries: [
        '/spotguides/runs/payments-prod/payments/orders-build-1a2b3c',
      ],
    });
    expect(await screen.findByTestId('run-identity')).toHaveTextContent(
      'orders-build-1a2b3c in namespace payments on the runtime cluster payments-prod.',
    );
    expect(screen.getByTestId('run-logs-command')).toHaveTextContent(
      'tkn pipelinerun logs orders-build-1a2b3c -n payments -f',
    );
    expect(screen.getByText('All deliveries')).toHaveAttribute(
      'href',
      '/spotguides',
    );
  });

  it('shows the runs card only on components a spotguide made', () => {
    const filter = createExtensionTester(entityPipelineRunsCard).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    );
    const component = (annotations: Record<string, string>) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'orders', annotations },
      spec: {},
    });
    expect(filter).toBeDefined();
    expect(
      filter!(component({ 'pipeline-portal.io/runtime-cluster': 'prod' })),
    ).toBe(true);
    expect(filter!(component({}))).toBe(false);
  });
});
