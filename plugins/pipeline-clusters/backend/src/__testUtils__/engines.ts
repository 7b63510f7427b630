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
import { KubeApi, KubeObject } from '@pipeline-portal/testing';
import {
  CAPI,
  CLUSTER_NAME_LABEL,
  CONTROLPLANE,
  delay,
  FINALIZER,
  ignoreGone,
  INFRA,
  KindPlay,
  kubeconfigYaml,
  Obj,
  plays,
  v1beta2,
} from './enginePlays';

export { kubeconfigYaml } from './enginePlays';

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
