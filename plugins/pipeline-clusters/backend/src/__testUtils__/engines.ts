/**
 * Plays the provisioning engines (Cluster API providers, Crossplane
 * providers) inside the Kubernetes API double, for end-to-end tests: objects
 * the portal writes go Provisioning -> Running, spec changes go Updating ->
 * Running, deletes go through finalizers (Cluster API cascades through the
 * ownerReferences it sets, as the real controllers do), and each cluster's
 * kubeconfig Secret points at a "workload cluster" (the double by default).
 *
 * The status fields written are exactly those the distributions' readStatus
 * reads, in the shapes the real CRDs accept.
 */
import { stringify } from 'yaml';
import { KubeApi, KubeApiError, KubeObject } from '@pipeline-portal/testing';

export interface PlayEnginesOptions {
  /** Delay before an object becomes ready (and between update steps). Default 20 ms. */
  readyAfterMs?: number;
  /** Make matching top-level objects (CAPI Cluster, Crossplane clusters) fail. */
  failWith?: {
    message: string;
    /** Condition reason; must name a failure (default `ProvisioningFailed`). */
    reason?: string;
    /** Only objects for this portal cluster (label pipeline-portal.io/cluster). */
    cluster?: string;
  };
  /** The workload cluster the kubeconfig points at (default: the double itself). */
  kubeconfig?: { server: string; caData?: string; token?: string };
}

const FINALIZER = 'pipeline-portal.io/engine-double';
const CAPI = 'cluster.x-k8s.io';
const INFRA = 'infrastructure.cluster.x-k8s.io';
const CONTROLPLANE = 'controlplane.cluster.x-k8s.io';
const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';

type Obj = KubeObject & { spec?: any; status?: any };

const now = () => new Date().toISOString();
const delay = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Cluster API v1beta2 condition (message and reason required). */
const v1beta2 = (
  type: string,
  status: 'True' | 'False',
  reason: string,
  message = '',
) => ({ type, status, reason, message, lastTransitionTime: now() });
/** Cluster API v1beta1 / Crossplane condition. */
const v1beta1 = (
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

function ignoreGone(err: unknown) {
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

interface KindPlay {
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

function plays(server: () => string): KindPlay[] {
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

/**
 * Registers reactions that play every engine's controllers. Only objects the
 * portal rendered (label pipeline-portal.io/cluster) are touched. Returns a
 * function that stops playing.
 */
export function playEngines(
  api: KubeApi,
  options: PlayEnginesOptions = {},
): () => void {
  const readyAfterMs = options.readyAfterMs ?? 20;
  const target = () =>
    options.kubeconfig ?? {
      server: api.url,
      caData: api.caData,
      token: api.token,
    };
  const portal = (obj: KubeObject) =>
    !!obj.metadata?.labels?.['pipeline-portal.io/cluster'];
  const failFor = (play: KindPlay, obj: KubeObject) => {
    const f = options.failWith;
    if (!f || !play.top) return undefined;
    const cluster = obj.metadata?.labels?.['pipeline-portal.io/cluster'];
    return !f.cluster || f.cluster === cluster ? f : undefined;
  };

  const patchStatus = (obj: KubeObject, status: Record<string, unknown>) => {
    try {
      api.patchStatus(obj, status);
    } catch (err) {
      ignoreGone(err);
    }
  };
  const current = (obj: KubeObject) => api.get(obj) as Obj | undefined;

  const writeKubeconfig = (play: KindPlay, obj: Obj) => {
    const loc = play.kubeconfig?.(obj);
    if (!loc || !loc.name) return;
    const value = Buffer.from(
      kubeconfigYaml(obj.metadata?.name ?? 'workload', target()),
    ).toString('base64');
    const isCapi = play.group === CAPI;
    const body: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: loc.name,
        namespace: loc.namespace,
        labels: isCapi
          ? { [CLUSTER_NAME_LABEL]: obj.metadata?.name ?? '' }
          : undefined,
        // Both Cluster API and crossplane-runtime make the owner the
        // controller of the Secret, so it is collected with it.
        ownerReferences: [ownerRef(obj)],
      },
      type: isCapi
        ? 'cluster.x-k8s.io/secret'
        : 'connection.crossplane.io/v1alpha1',
      data: { [loc.key]: value },
    };
    if (api.get(body)) api.update(body);
    else api.create(body);
  };

  const becomeReady = (play: KindPlay, obj: Obj) => {
    const live = current(obj);
    if (!live || live.metadata?.deletionTimestamp) return;
    const failure = failFor(play, live);
    if (failure) {
      patchStatus(
        live,
        play.failed(failure.message, failure.reason ?? 'ProvisioningFailed'),
      );
      return;
    }
    if (play.group === CAPI && play.kind === 'Cluster') {
      try {
        api.patch(live, {
          spec: { controlPlaneEndpoint: endpointOf(target()) },
        });
      } catch (err) {
        ignoreGone(err);
      }
    }
    patchStatus(live, play.ready(live));
    writeKubeconfig(play, live);
  };

  const stops: Array<() => void> = [];
  for (const play of plays(() => target().server)) {
    stops.push(
      api.react(
        { group: play.group, kind: play.kind, on: 'create', filter: portal },
        async obj => {
          try {
            api.patch(obj, { metadata: { finalizers: [FINALIZER] } });
          } catch (err) {
            ignoreGone(err);
          }
          if (
            play.group === CAPI ||
            play.group === INFRA ||
            play.group === CONTROLPLANE
          )
            adopt(api, obj.metadata?.namespace ?? 'default', clusterOf(obj));
          patchStatus(obj, play.provisioning(obj as Obj));
          await delay(readyAfterMs);
          becomeReady(play, obj as Obj);
        },
      ),
      api.react(
        { group: play.group, kind: play.kind, on: 'update', filter: portal },
        async (obj, _api, { oldObject }) => {
          // Only spec changes (generation) restart a rollout.
          if (
            !oldObject ||
            obj.metadata?.generation === oldObject.metadata?.generation ||
            obj.metadata?.deletionTimestamp
          )
            return;
          if (play.updating)
            patchStatus(obj, play.updating(obj as Obj, oldObject as Obj));
          if (play.group === CAPI && play.kind !== 'Cluster') {
            setClusterRollingOut(obj, true);
          }
          if (play.kind.endsWith('ControlPlane'))
            setClusterRollingOut(obj, true);
          await delay(readyAfterMs);
          becomeReady(play, obj as Obj);
          if (play.group !== CAPI || play.kind !== 'Cluster')
            setClusterRollingOut(obj, false);
        },
      ),
      api.react(
        { group: play.group, kind: play.kind, on: 'deleting', filter: portal },
        async obj => {
          await delay(readyAfterMs);
          try {
            // Like a controller, release only its own finalizer.
            const finalizers = api.get(obj)?.metadata?.finalizers ?? [];
            api.patch(obj, {
              metadata: { finalizers: finalizers.filter(f => f !== FINALIZER) },
            });
          } catch (err) {
            ignoreGone(err);
          }
        },
      ),
    );
  }

  /** Cluster API reports rollouts on the Cluster (RollingOut condition). */
  function setClusterRollingOut(obj: KubeObject, on: boolean) {
    const name = clusterOf(obj);
    if (!name) return;
    const cluster = api.get({
      apiVersion: `${CAPI}/v1beta2`,
      kind: 'Cluster',
      name,
      namespace: obj.metadata?.namespace,
    }) as Obj | undefined;
    if (!cluster || cluster.metadata?.deletionTimestamp) return;
    const others = (cluster.status?.conditions ?? []).filter(
      (c: { type: string }) => c.type !== 'RollingOut',
    );
    patchStatus(cluster, {
      conditions: [
        ...others,
        on
          ? v1beta2('RollingOut', 'True', 'RollingOut', 'rolling out changes')
          : v1beta2('RollingOut', 'False', 'NotRollingOut'),
      ],
    });
  }

  return () => stops.forEach(stop => stop());
}

function clusterOf(obj: KubeObject): string {
  return (
    obj.metadata?.labels?.[CLUSTER_NAME_LABEL] ??
    (obj as Obj).spec?.clusterName ??
    ''
  );
}

function endpointOf(target: { server: string }) {
  const url = new URL(target.server);
  return { host: url.hostname, port: Number(url.port || 443) };
}

function ownerRef(owner: KubeObject) {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
  };
}

/**
 * Sets the ownerReferences the Cluster API controllers set: provider cluster
 * and control plane and MachinePools owned by the Cluster, provider pools by
 * their MachinePool. Deleting the Cluster then cascades.
 */
function adopt(api: KubeApi, namespace: string, clusterName: string) {
  if (!clusterName) return;
  const cluster = api.get({
    apiVersion: `${CAPI}/v1beta2`,
    kind: 'Cluster',
    name: clusterName,
    namespace,
  }) as Obj | undefined;
  if (!cluster) return;
  const own = (
    ref: { apiGroup: string; kind: string; name: string } | undefined,
    owner: KubeObject,
  ) => {
    if (!ref) return;
    const candidates = ['v1beta2', 'v1beta1']
      .map(v => {
        try {
          return api.get({
            apiVersion: `${ref.apiGroup}/${v}`,
            kind: ref.kind,
            name: ref.name,
            namespace,
          });
        } catch {
          return undefined;
        }
      })
      .filter(Boolean) as KubeObject[];
    const obj = candidates[0];
    if (
      !obj ||
      obj.metadata?.ownerReferences?.some(o => o.uid === owner.metadata?.uid)
    )
      return;
    api.patch(obj, {
      metadata: {
        ownerReferences: [
          ...(obj.metadata?.ownerReferences ?? []),
          ownerRef(owner),
        ],
      },
    });
  };
  own(cluster.spec?.infrastructureRef, cluster);
  own(cluster.spec?.controlPlaneRef, cluster);
  // Only this cluster's pools: listing (and copying) every pool of every
  // cluster on each reaction made many clusters quadratic.
  const pools = api.list(`${CAPI}/v1beta2`, 'MachinePool', {
    namespace,
    labelSelector: `pipeline-portal.io/cluster=${clusterName}`,
  }) as Obj[];
  for (const mp of pools.filter(p => p.spec?.clusterName === clusterName)) {
    if (
      !mp.metadata?.ownerReferences?.some(o => o.uid === cluster.metadata?.uid)
    ) {
      api.patch(mp, {
        metadata: {
          ownerReferences: [
            ...(mp.metadata?.ownerReferences ?? []),
            ownerRef(cluster),
          ],
        },
      });
    }
    own(mp.spec?.template?.spec?.infrastructureRef, mp);
  }
}
