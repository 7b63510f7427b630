import {
  ApisApi,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { ConflictError, InputError } from '@backstage/errors';
import {
  kubernetesStatusOf,
  toBackstageError,
  toKubernetesApiError,
} from '@pipeline-portal/backend-kit';
import { TeamNamespaceSpec } from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  KYVERNO_API_VERSION,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  OWNER_ANNOTATION,
  renderTeamNamespace,
} from './render';
import { POLICY_BYPASS_KINDS, renderTeamNamespaceGuard } from './guard';
import { TeamNamespaceSettings } from './settings';

export interface ApplyTeamNamespaceOptions {
  /** Server-side apply field manager (default `pipeline-portal`). */
  fieldManager?: string;
  /** What config adds to every team namespace (egress, registries, services). */
  settings?: TeamNamespaceSettings;
  /**
   * Whether an existing namespace of another team, or one the portal did
   * not create, may be taken over. Only for admins: the caller decides.
   * @default false
   */
  takeOver?: boolean;
}

export interface ApplyTeamNamespaceResult {
  namespace: string;
  /**
   * `Kind/name` of each object, in the order applied: the namespace, the
   * cluster's guard of team namespaces (a ClusterPolicy), then the objects
   * inside the namespace.
   */
  objects: string[];
  /** Set when an existing namespace was taken over: what it was. */
  tookOver?: { owner?: string; managed: boolean };
}

function kyvernoMissing(
  clusterHint: string,
  kind: 'Policy' | 'ClusterPolicy' = 'Policy',
) {
  // InputError (400), not ServiceUnavailableError (503): retrying never helps;
  // someone must install Kyverno or pick another cluster.
  return new InputError(
    `Kyverno is not installed on the cluster${clusterHint}: the ${KYVERNO_API_VERSION} ${kind} kind is not served. ` +
      'Install Kyverno (its CRDs) or choose another cluster.',
  );
}

/** Exposes discovery, which tells whether a kind is served without writing. */
class ObjectApi extends KubernetesObjectApi {
  served(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }
}

const ref = (object: KubernetesObject) =>
  `${object.kind}/${object.metadata?.name}`;

/**
 * The kinds of POLICY_BYPASS_KINDS the cluster serves, as `group/Kind`,
 * from discovery (the group list, then each version of the two Kyverno
 * groups): the guard names only those.
 */
async function servedBypassKinds(
  kubeConfig: KubeConfig,
  client: ObjectApi,
): Promise<string[]> {
  const groups = new Set(POLICY_BYPASS_KINDS.map(k => k.group));
  const { groups: served } = await kubeConfig
    .makeApiClient(ApisApi)
    .getAPIVersions();
  const found: string[] = [];
  for (const group of served.filter(g => groups.has(g.name))) {
    for (const { kind } of POLICY_BYPASS_KINDS.filter(
      k => k.group === group.name,
    )) {
      for (const { groupVersion } of group.versions) {
        try {
          if (await client.served(groupVersion, kind)) {
            found.push(`${group.name}/${kind}`);
            break;
          }
        } catch (error) {
          // A version listed but not answering is not served.
          if (kubernetesStatusOf(error) !== 404) throw error;
        }
      }
    }
  }
  return found;
}

/**
 * Creates or updates a team's namespace with server-side apply: running it
 * again with the same spec changes nothing. The cluster's guard of team
 * namespaces (one ClusterPolicy for all of them) is applied right after the
 * namespace, before anything inside it, so the guardrails cannot be
 * changed from inside a namespace at any moment the team has access. Refuses (before writing
 * anything) when Kyverno is not installed, so no namespace exists without
 * its policies, and when the namespace belongs to another team or is not
 * the portal's, unless `takeOver`. A new namespace is created with a plain
 * create (409 if someone else creates it meanwhile), an existing one is
 * applied with the resourceVersion it was checked at: what was checked is
 * what is written over.
 */
export async function applyTeamNamespace(
  kubeConfig: KubeConfig,
  spec: TeamNamespaceSpec,
  options: ApplyTeamNamespaceOptions = {},
): Promise<ApplyTeamNamespaceResult> {
  const objects = renderTeamNamespace(spec, options.settings);
  const fieldManager = options.fieldManager ?? 'pipeline-portal';
  const client = kubeConfig.makeApiClient(ObjectApi);
  const cluster = kubeConfig.getCurrentCluster()?.name;
  const clusterHint = cluster ? ` "${cluster}"` : '';
  const [desired, ...inside] = objects;
  const namespace = desired.metadata!.name!;

  try {
    // Discovery: 404 when the group is not served, undefined when the kind is not.
    const policy = await client.served(KYVERNO_API_VERSION, 'Policy');
    if (!policy) throw kyvernoMissing(clusterHint);
    // The cluster's guard of team namespaces is a ClusterPolicy.
    const clusterPolicy = await client.served(
      KYVERNO_API_VERSION,
      'ClusterPolicy',
    );
    if (!clusterPolicy) throw kyvernoMissing(clusterHint, 'ClusterPolicy');
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (kubernetesStatusOf(error) === 404) throw kyvernoMissing(clusterHint);
    throw error;
  }

  const existing = await readNamespace(client, namespace, desired);
  let tookOver: ApplyTeamNamespaceResult['tookOver'];
  let resourceVersion: string | undefined;
  if (existing) {
    tookOver = assertOwnable(namespace, existing, desired, options.takeOver);
    resourceVersion = existing.metadata?.resourceVersion;
  } else {
    resourceVersion = await createNamespace(client, desired, fieldManager);
  }

  const apply = async (object: KubernetesObject) => {
    try {
      await client.patch(
        structuredClone(object),
        undefined,
        undefined,
        fieldManager,
        true,
        PatchStrategy.ServerSideApply,
      );
    } catch (error) {
      throw toApplyError(error, object, clusterHint);
    }
  };
  // The namespace as checked: a change meanwhile is a conflict, not overwritten.
  await apply({
    ...desired,
    metadata: { ...desired.metadata, resourceVersion },
  });
  const bypassKinds = await servedBypassKinds(kubeConfig, client).catch(
    error => {
      throw toApplyError(error, renderTeamNamespaceGuard(), clusterHint);
    },
  );
  const guard = renderTeamNamespaceGuard(options.settings, {
    servedBypassKinds: bypassKinds,
  });
  await apply(guard);
  for (const object of inside) await apply(object);
  return {
    namespace,
    objects: [desired, guard, ...inside].map(ref),
    ...(tookOver ? { tookOver } : {}),
  };
}

async function readNamespace(
  client: KubernetesObjectApi,
  name: string,
  desired: KubernetesObject,
): Promise<KubernetesObject | undefined> {
  try {
    return await client.read({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
  } catch (error) {
    if (kubernetesStatusOf(error) === 404) return undefined;
    throw toApplyError(error, desired, '');
  }
}

/** Creates the namespace; its resourceVersion. 409 if it appeared meanwhile. */
async function createNamespace(
  client: KubernetesObjectApi,
  desired: KubernetesObject,
  fieldManager: string,
): Promise<string | undefined> {
  try {
    const created = await client.create(
      structuredClone(desired),
      undefined,
      undefined,
      fieldManager,
    );
    return created.metadata?.resourceVersion;
  } catch (error) {
    if (kubernetesStatusOf(error) === 409) {
      throw new ConflictError(
        `namespace: "${desired.metadata?.name}" was created by someone else meanwhile; nothing was written`,
      );
    }
    throw toApplyError(error, desired, '');
  }
}

/**
 * The namespace must be the same team's and the portal's (its managed-by
 * label and owner annotation): otherwise a request could bind a team as
 * admin of someone else's namespace. Only `takeOver` (admins) passes, and
 * says what the namespace was.
 */
function assertOwnable(
  name: string,
  existing: KubernetesObject,
  desired: KubernetesObject,
  takeOver = false,
): ApplyTeamNamespaceResult['tookOver'] {
  const owner = existing.metadata?.annotations?.[OWNER_ANNOTATION];
  const managed = existing.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
  const wanted = desired.metadata?.annotations?.[OWNER_ANNOTATION];
  if (managed && owner === wanted) return undefined;
  if (takeOver) return { ...(owner ? { owner } : {}), managed };
  if (!managed) {
    throw new ConflictError(
      `namespace: "${name}" already exists and was not created by the portal (no ${MANAGED_BY_LABEL}=${MANAGED_BY} label); only an admin may take it over`,
    );
  }
  throw new ConflictError(
    owner
      ? `namespace: "${name}" belongs to ${owner}; only an admin may take it over`
      : `namespace: "${name}" has no owner; only an admin may take it over`,
  );
}

function toApplyError(
  error: unknown,
  object: KubernetesObject,
  clusterHint: string,
): Error {
  const failure = toKubernetesApiError(error, `Applying ${ref(object)} failed`);
  if (object.apiVersion === KYVERNO_API_VERSION && failure.status === 404) {
    return kyvernoMissing(
      clusterHint,
      object.kind === 'ClusterPolicy' ? 'ClusterPolicy' : 'Policy',
    );
  }
  return toBackstageError(failure);
}
