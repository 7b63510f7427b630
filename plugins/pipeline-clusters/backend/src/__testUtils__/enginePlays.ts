/*
 * What each engine's controllers do to the objects of its kinds, as the
 * engine double (engines.ts) plays them: the status while provisioning,
 * updating, ready or failed, and where the kubeconfig goes.
 */
import { stringify } from 'yaml';
import { KubeApiError, KubeObject } from '@pipeline-portal/testing';

export const FINALIZER = 'pipeline-portal.io/engine-double';
export const CAPI = 'cluster.x-k8s.io';
export const INFRA = 'infrastructure.cluster.x-k8s.io';
export const CONTROLPLANE = 'controlplane.cluster.x-k8s.io';
export const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';

export type Obj = KubeObject & { spec?: any; status?: any };

const now = () => new Date().toISOString();
export const delay = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Cluster API v1beta2 condition (message and reason required). */
export const v1beta2 = (
  type: string,
  status: 'True' | 'False',
  reason: string,
  message = '',
) => ({ type, status, reason, message, lastTransitionTime: now() });
/** Cluster API v1beta1 / Crossplane condition. */
export const v1beta1 = (
  type: string,
  status: 'True' | 'False',
  reason: string,
  message?: string,
) => ({
  type,
  status,
  reason,
  lastTransitionTime: now(),
  ...(message ? { message } : {}),
});

export function ignoreGone(err: unknown) {
  if (err instanceof KubeApiError && err.code === 404) return;
  throw err;
}

export function kubeconfigYaml(
  name: string,
  target: { server: string; caData?: string; token?: string },
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: target.server,
          ...(target.caData
            ? { 'certificate-authority-data': target.caData }
            : {}),
        },
      },
    ],
    users: [{ name, user: target.token ? { token: target.token } : {} }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  });
}

export interface KindPlay {
  group: string;
  kind: string;
  /** Top-level: carries the kubeconfig and is what failWith fails. */
  top?: boolean;
  provisioning(obj: Obj): Record<string, unknown>;
  ready(obj: Obj): Record<string, unknown>;
  /** Status while a spec change is being applied (before ready again). */
  updating?(obj: Obj, old: Obj): Record<string, unknown>;
  failed(message: string, reason: string): Record<string, unknown>;
  /** Where its kubeconfig goes, for top-level kinds. */
  kubeconfig?(obj: Obj): { namespace: string; name: string; key: string };
}

const capiFailed = (message: string, reason: string) => ({
  ready: false,
  conditions: [v1beta1('Ready', 'False', reason, message)],
});

/** The minor+patch a cloud would report for a requested version. */
function reportedVersion(requested: string | undefined): string | undefined {
  if (!requested) return undefined;
  return /^v?\d+\.\d+$/.test(requested) ? `${requested}.1` : requested;
}

const controlPlane = (
  group: string,
  kind: string,
  extra: (obj: Obj) => Record<string, unknown> = () => ({}),
): KindPlay => ({
  group,
  kind,
  provisioning: () => ({ ready: false, initialized: false }),
  ready: obj => ({
    ready: true,
    initialized: true,
    version: reportedVersion(obj.spec?.version),
    ...extra(obj),
  }),
  // The old version stays reported until the upgrade is done.
  updating: (_obj, old) => ({ ready: true, version: old.status?.version }),
  failed: capiFailed,
});

const infraPool = (kind: string): KindPlay => ({
  group: INFRA,
  kind,
  provisioning: () => ({ ready: false }),
  ready: () => ({ ready: true }),
  failed: capiFailed,
});

const crossplaneProvisioning = () => ({
  conditions: [
    v1beta1('Ready', 'False', 'Creating'),
    v1beta1('Synced', 'True', 'ReconcileSuccess'),
  ],
});
const crossplaneReady = () => [
  v1beta1('Ready', 'True', 'Available'),
  v1beta1('Synced', 'True', 'ReconcileSuccess'),
];
const crossplaneFailed = (message: string) => ({
  conditions: [
    v1beta1('Ready', 'False', 'Creating'),
    v1beta1('Synced', 'False', 'ReconcileError', message),
  ],
});
const connectionSecret = (obj: Obj) => ({
  namespace: obj.spec?.writeConnectionSecretToRef?.namespace ?? 'default',
  name: obj.spec?.writeConnectionSecretToRef?.name ?? '',
  key: 'kubeconfig',
});

export function plays(server: () => string): KindPlay[] {
  const endpoint = () => {
    const url = new URL(server());
    return { host: url.hostname, port: Number(url.port || 443) };
  };
  return [
    {
      group: CAPI,
      kind: 'Cluster',
      top: true,
      provisioning: () => ({
        phase: 'Provisioning',
        conditions: [
          v1beta2('Available', 'False', 'NotAvailable', 'provisioning'),
        ],
      }),
      ready: () => ({
        phase: 'Provisioned',
        initialization: {
          infrastructureProvisioned: true,
          controlPlaneInitialized: true,
        },
        conditions: [v1beta2('Available', 'True', 'Available')],
      }),
      failed: (message, reason) => ({
        phase: 'Failed',
        conditions: [v1beta2('Available', 'False', reason, message)],
      }),
      kubeconfig: obj => ({
        namespace: obj.metadata?.namespace ?? 'default',
        name: `${obj.metadata?.name}-kubeconfig`,
        key: 'value',
      }),
    },
    {
      group: CAPI,
      kind: 'MachinePool',
      provisioning: () => ({ phase: 'Provisioning' }),
      ready: obj => {
        const n = obj.spec?.replicas ?? 1;
        return {
          phase: 'Running',
          replicas: n,
          readyReplicas: n,
          availableReplicas: n,
          upToDateReplicas: n,
          conditions: [v1beta2('Available', 'True', 'Available')],
        };
      },
      updating: (obj, old) => ({
        phase:
          (obj.spec?.replicas ?? 0) >= (old.spec?.replicas ?? 0)
            ? 'ScalingUp'
            : 'ScalingDown',
        replicas: old.status?.replicas,
      }),
      failed: (message, reason) => ({
        phase: 'Failed',
        conditions: [v1beta2('Available', 'False', reason, message)],
      }),
    },
    { ...infraPool('AWSManagedCluster') },
    { ...infraPool('AzureASOManagedCluster') },
    { ...infraPool('GCPManagedCluster') },
    { ...infraPool('OCIManagedCluster') },
    controlPlane(CONTROLPLANE, 'AWSManagedControlPlane'),
    controlPlane(INFRA, 'AzureASOManagedControlPlane', () => ({
      controlPlaneEndpoint: endpoint(),
    })),
    controlPlane(INFRA, 'GCPManagedControlPlane', obj => ({
      currentVersion: reportedVersion(obj.spec?.version),
    })),
    controlPlane(INFRA, 'OCIManagedControlPlane'),
    infraPool('AWSManagedMachinePool'),
    infraPool('AzureASOManagedMachinePool'),
    infraPool('GCPManagedMachinePool'),
    infraPool('OCIManagedMachinePool'),
    {
      group: 'ack.alibabacloud.crossplane.io',
      kind: 'ManagedKubernetes',
      top: true,
      provisioning: crossplaneProvisioning,
      ready: obj => ({
        conditions: crossplaneReady(),
        atProvider: {
          id: `c${obj.metadata?.uid?.replace(/-/g, '').slice(0, 12)}`,
          name: obj.spec?.forProvider?.name,
          version: obj.spec?.forProvider?.version,
        },
      }),
      updating: (_obj, old) => ({ atProvider: old.status?.atProvider }),
      failed: crossplaneFailed,
      kubeconfig: connectionSecret,
    },
    {
      group: 'ack.alibabacloud.crossplane.io',
      kind: 'KubernetesNodePool',
      provisioning: crossplaneProvisioning,
      ready: obj => {
        const p = obj.spec?.forProvider ?? {};
        const count = p.desiredSize
          ? Number(p.desiredSize)
          : p.scalingConfig?.[0]?.minSize ?? 0;
        return {
          conditions: crossplaneReady(),
          atProvider: { nodeCount: count, desiredSize: p.desiredSize },
        };
      },
      updating: (_obj, old) => ({ atProvider: old.status?.atProvider }),
      failed: crossplaneFailed,
    },
    {
      group: 'kubernetes.do.crossplane.io',
      kind: 'DOKubernetesCluster',
      top: true,
      provisioning: () => ({
        ...crossplaneProvisioning(),
        atProvider: { status: { state: 'provisioning' } },
      }),
      ready: obj => {
        const p = obj.spec?.forProvider ?? {};
        return {
          conditions: crossplaneReady(),
          atProvider: {
            id: obj.metadata?.uid,
            name: obj.metadata?.name,
            region: p.region,
            version: /^\d+\.\d+$/.test(p.version ?? '')
              ? `${p.version}.1-do.0`
              : p.version,
            endpoint: server(),
            nodePools: (p.nodePools ?? []).map((np: any) => ({
              name: np.name,
              size: np.size,
              count: np.count,
            })),
            status: { state: 'running' },
          },
        };
      },
      updating: (_obj, old) => ({
        atProvider: {
          ...old.status?.atProvider,
          status: { state: 'upgrading', message: 'applying changes' },
        },
      }),
      failed: crossplaneFailed,
      kubeconfig: connectionSecret,
    },
  ];
}
