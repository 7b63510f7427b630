import { IntegratedServiceEntity } from '@pipeline-portal/plugin-integrated-services-common';

/** A small valid definition: two versions, one upgrader, one downgrader. */
export function validDefinition(): IntegratedServiceEntity {
  const version = (v: string, chart: string) => ({
    version: v,
    chart: {
      repository: 'https://charts.jetstack.io',
      name: 'cert-manager',
      version: chart,
    },
    values: { crds: { enabled: true } },
    specSchema: {
      type: 'object',
      properties: { replicas: { type: 'integer' } },
    },
    valuesMapping: [{ from: '/replicas', to: '/replicaCount' }],
  });
  return {
    apiVersion: 'pipeline-portal.io/v1alpha1',
    kind: 'IntegratedService',
    metadata: { name: 'cert-manager', title: 'cert-manager' },
    spec: {
      owner: 'group:default/platform',
      category: 'certificates',
      versions: [version('1.15.0', 'v1.15.5'), version('1.16.0', 'v1.16.5')],
      upgraders: [
        { from: '1.15.0', to: '1.16.0', steps: [{ type: 'chartUpgrade' }] },
      ],
      downgraders: [
        { from: '1.16.0', to: '1.15.0', steps: [{ type: 'chartUpgrade' }] },
      ],
    },
  };
}
