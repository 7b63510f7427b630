import type { IntegratedServiceEntity } from '@pipeline-portal/plugin-integrated-services-common';

const specSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    replicas: { type: 'integer', minimum: 1, default: 1 },
    email: { type: 'string', format: 'email' },
  },
};

const version = (v: string, chartVersion: string) => ({
  version: v,
  chart: {
    repository: 'https://charts.jetstack.io',
    name: 'cert-manager',
    version: chartVersion,
  },
  values: { installCRDs: true, replicaCount: 1 },
  specSchema,
  valuesMapping: [
    { from: '/replicas', to: '/replicaCount' },
    { from: '/email', to: '/acme/email' },
  ],
});

/** A service with a three-version graph: 1.0.0 -> 1.1.0 -> 1.2.0 and back. */
export const certs: IntegratedServiceEntity = {
  apiVersion: 'pipeline-portal.io/v1alpha1',
  kind: 'IntegratedService',
  metadata: { name: 'certs', title: 'Certificates' },
  spec: {
    owner: 'group:default/platform',
    category: 'certificates',
    namespace: 'cert-manager',
    versions: [
      version('1.0.0', 'v1.13.6'),
      version('1.1.0', 'v1.14.7'),
      version('1.2.0', 'v1.15.5'),
    ],
    upgraders: [
      {
        from: '1.0.0',
        to: '1.1.0',
        steps: [
          {
            type: 'deleteResources',
            resources: [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                labelSelector: 'app.kubernetes.io/instance=certs',
              },
            ],
          },
          { type: 'chartUpgrade' },
        ],
      },
      {
        from: '1.1.0',
        to: '1.2.0',
        steps: [
          { type: 'chartUpgrade' },
          {
            type: 'runJob',
            job: {
              name: 'migrate-certificates',
              image: 'quay.io/jetstack/cert-manager-ctl:v1.15.5',
              args: ['upgrade', 'migrate-api-version'],
            },
            timeoutSeconds: 300,
          },
        ],
      },
    ],
    downgraders: [
      {
        from: '1.2.0',
        to: '1.1.0',
        steps: [
          {
            type: 'patchResource',
            resource: {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: 'certs-settings',
            },
            patchType: 'merge',
            patch: { data: { apiVersion: 'v1beta1' } },
          },
          { type: 'chartUpgrade' },
        ],
      },
    ],
  },
};

/** A service on an OCI chart whose spec names a stored credential. */
export const alerts: IntegratedServiceEntity = {
  apiVersion: 'pipeline-portal.io/v1alpha1',
  kind: 'IntegratedService',
  metadata: { name: 'alerts' },
  spec: {
    owner: 'group:default/platform',
    category: 'monitoring',
    versions: [
      {
        version: '2.0.0',
        chart: {
          repository: 'oci://ghcr.io/prometheus-community/charts',
          name: 'alertmanager',
          version: '1.13.1',
          type: 'oci',
        },
        values: { replicaCount: 1 },
        specSchema: {
          type: 'object',
          required: ['slackCredential'],
          properties: { slackCredential: { type: 'string', minLength: 1 } },
        },
        valuesMapping: [
          {
            values: {
              extraSecretMounts: [
                {
                  name: 'slack',
                  secretName: 'alerts-slack',
                  mountPath: '/etc/slack',
                },
              ],
            },
          },
        ],
        secrets: [
          {
            field: '/slackCredential',
            secretName: 'alerts-slack',
            keys: ['url'],
          },
        ],
      },
    ],
    upgraders: [],
    downgraders: [],
  },
};

export const definitions = new Map([
  ['certs', certs],
  ['alerts', alerts],
]);
