import { IntegratedServiceEntity, ServiceVersion } from '../types';

const version = (v: string, chart: string): ServiceVersion => ({
  version: v,
  chart: {
    repository: 'https://charts.jetstack.io',
    name: 'cert-manager',
    version: chart,
  },
  values: {
    installCRDs: true,
    replicaCount: 1,
    prometheus: { enabled: false },
  },
  specSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      replicas: { type: 'integer', minimum: 1, maximum: 5, default: 1 },
      email: { type: 'string', format: 'email' },
      monitoring: { type: 'boolean', default: false },
    },
  },
  valuesMapping: [
    { from: '/replicas', to: '/replicaCount' },
    { when: '/monitoring', values: { prometheus: { enabled: true } } },
  ],
});

/** A small cert-manager-like service: 0.13 -> 0.14 deletes deployments first. */
export function certManager(): IntegratedServiceEntity {
  return {
    apiVersion: 'pipeline-portal.io/v1alpha1',
    kind: 'IntegratedService',
    metadata: { name: 'cert-manager', title: 'cert-manager' },
    spec: {
      owner: 'group:default/platform',
      category: 'certificates',
      versions: [
        version('0.13.0', 'v0.13.1'),
        version('0.14.0', 'v0.14.3'),
        version('0.15.0', 'v0.15.2'),
        version('1.0.0', 'v1.0.4'),
      ],
      upgraders: [
        {
          from: '0.13.0',
          to: '0.14.0',
          steps: [
            {
              type: 'deleteResources',
              resources: [
                {
                  apiVersion: 'apps/v1',
                  kind: 'Deployment',
                  labelSelector: 'app.kubernetes.io/instance=cert-manager',
                },
              ],
            },
            { type: 'chartUpgrade' },
          ],
        },
        { from: '0.14.0', to: '0.15.0', steps: [{ type: 'chartUpgrade' }] },
        { from: '0.15.0', to: '1.0.0', steps: [{ type: 'chartUpgrade' }] },
      ],
      downgraders: [
        { from: '1.0.0', to: '0.15.0', steps: [{ type: 'chartUpgrade' }] },
        { from: '0.15.0', to: '0.14.0', steps: [{ type: 'chartUpgrade' }] },
      ],
    },
  };
}
