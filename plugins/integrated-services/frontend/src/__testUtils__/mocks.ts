import { ResponseError } from '@backstage/errors';
import type {
  IntegratedServiceEntity,
  IntegratedServicesApi,
  InstanceList,
  ServiceInstanceView,
  ServicePlan,
  ServiceSummary,
} from '@pipeline-portal/plugin-integrated-services-common';

/** Loosely typed so each test gives only the implementations it needs. */
export type MockServicesApi = { [K in keyof IntegratedServicesApi]: jest.Mock };

export const MONITORING: ServiceSummary = {
  name: 'monitoring',
  title: 'Monitoring',
  description: 'Prometheus, Alertmanager and Grafana.',
  category: 'monitoring',
  owner: 'group:default/platform',
  versions: ['70.4.1', '69.4.1'],
  newestVersion: '70.4.1',
};

export const CERT_MANAGER: ServiceSummary = {
  name: 'cert-manager',
  title: 'cert-manager',
  category: 'certificates',
  owner: 'group:default/platform',
  versions: ['1.16.1', '1.15.3', '1.14.7'],
  newestVersion: '1.16.1',
};

const monitoringSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    retention: {
      title: 'Metrics retention',
      type: 'string',
      pattern: '^[0-9]+(h|d|w)$',
      default: '10d',
    },
    grafana: { title: 'Grafana', type: 'boolean', default: true },
    // An optional section with a default inside: left out unless filled in.
    pagerduty: {
      title: 'PagerDuty',
      type: 'object',
      required: ['credential'],
      properties: {
        credential: { title: 'Routing key secret', type: 'string' },
        severity: {
          type: 'string',
          enum: ['critical', 'warning'],
          default: 'critical',
        },
      },
    },
  },
};

const version = (name: string, v: string, specSchema: object) => ({
  version: v,
  chart: { repository: 'https://charts.example.com', name, version: v },
  values: {},
  specSchema: specSchema as any,
  valuesMapping: [],
});

export function makeDefinition(
  summary: ServiceSummary,
): IntegratedServiceEntity {
  const schema =
    summary.name === 'monitoring'
      ? monitoringSchema
      : {
          type: 'object',
          properties: { replicas: { title: 'Replicas', type: 'integer' } },
        };
  const ordered = [...summary.versions].reverse();
  const up = ordered.slice(1).map((to, i) => ({
    from: ordered[i],
    to,
    steps: [{ type: 'chartUpgrade' as const }],
  }));
  return {
    apiVersion: 'pipeline-portal.io/v1alpha1',
    kind: 'IntegratedService',
    metadata: { name: summary.name, title: summary.title },
    spec: {
      owner: summary.owner,
      category: summary.category,
      versions: summary.versions.map(v => version(summary.name, v, schema)),
      upgraders: up,
      downgraders: up.map(e => ({ ...e, from: e.to, to: e.from })),
    },
  };
}

/** cert-manager from 1.14.7: 1.15.3 in one step, 1.16.1 in two. */
export const CERT_MANAGER_PLAN: ServicePlan = {
  service: 'cert-manager',
  from: '1.14.7',
  targets: [
    {
      version: '1.15.3',
      direction: 'upgrade',
      path: ['1.14.7', '1.15.3'],
      steps: [{ type: 'chartUpgrade', from: '1.14.7', to: '1.15.3' }],
    },
    {
      version: '1.16.1',
      direction: 'upgrade',
      path: ['1.14.7', '1.15.3', '1.16.1'],
      steps: [
        { type: 'chartUpgrade', from: '1.14.7', to: '1.15.3' },
        {
          type: 'deleteResources',
          from: '1.15.3',
          to: '1.16.1',
          resources: [
            { apiVersion: 'v1', kind: 'ConfigMap', name: 'old-config' },
          ],
        },
        { type: 'chartUpgrade', from: '1.15.3', to: '1.16.1' },
      ],
    },
  ],
  unreachable: [{ version: '0.13.0', reason: 'no downgrader below 1.14.7' }],
};

export function makeInstance(
  overrides: Partial<Omit<ServiceInstanceView, 'status'>> & {
    status?: Partial<ServiceInstanceView['status']>;
  } = {},
): ServiceInstanceView {
  const { status, ...rest } = overrides;
  return {
    cluster: 'prod-1',
    service: 'cert-manager',
    managedBy: 'portal',
    desired: {
      version: '1.14.7',
      enabled: true,
      spec: { replicas: 2 },
      overrides: { podLabels: { team: 'payments' } },
    },
    ...rest,
    status: {
      phase: 'Ready',
      installedVersion: '1.14.7',
      upToDate: true,
      conditions: [],
      availableTargets: [],
      unreachable: [],
      drift: [],
      ...status,
    },
  };
}

export const instanceList = (
  items: ServiceInstanceView[],
  extra: Partial<InstanceList> = {},
): InstanceList => ({ items, clusters: 1, problems: [], ...extra });

/** Every method a jest.fn; tests give the ones they exercise an implementation. */
export function mockServicesApi(
  overrides: Partial<MockServicesApi> = {},
): MockServicesApi {
  return {
    listServices: jest.fn(async () => ({ items: [MONITORING, CERT_MANAGER] })),
    getService: jest.fn(async (name: string) =>
      makeDefinition(name === 'monitoring' ? MONITORING : CERT_MANAGER),
    ),
    getPlan: jest.fn(async () => CERT_MANAGER_PLAN),
    listInstances: jest.fn(async () => instanceList([])),
    listClusterInstances: jest.fn(async () => instanceList([])),
    getInstance: jest.fn(),
    previewInstance: jest.fn(),
    putInstance: jest.fn(async () => makeInstance()),
    deleteInstance: jest.fn(async () => undefined),
    ...overrides,
  };
}

/** A ResponseError as the client throws it, from a backend error body. */
export function responseError(status: number, message: string) {
  const names: Record<number, string> = {
    400: 'InputError',
    403: 'NotAllowedError',
    404: 'NotFoundError',
    409: 'ConflictError',
  };
  const body = JSON.stringify({
    error: { name: names[status] ?? 'Error', message },
    response: { statusCode: status },
  });
  return ResponseError.fromResponse({
    ok: false,
    status,
    statusText: names[status] ?? 'Error',
    url: 'http://localhost/api/integrated-services',
    headers: {
      get: (h: string) => (h === 'content-type' ? 'application/json' : null),
    },
    text: async () => body,
  } as any);
}
