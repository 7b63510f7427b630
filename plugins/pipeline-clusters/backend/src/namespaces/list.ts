import { CoreV1Api, KubeConfig, V1Namespace } from '@kubernetes/client-node';
import {
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { TeamNamespaceSummary } from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  kubernetesStatusOf,
  toBackstageError,
  toKubernetesApiError,
} from '@pipeline-portal/backend-kit';
import {
  MANAGED_BY,
  MANAGED_BY_LABEL,
  OWNER_ANNOTATION,
  TEAM_LABEL,
} from './render';

export interface ListTeamNamespacesOptions {
  /** The portal's name of the cluster, for messages (default: the kubeconfig's). */
  cluster?: string;
  /** How long the cluster's API server may take to answer (default 10 s). */
  timeoutMs?: number;
}

/** The namespaces `renderTeamNamespace` labels as the portal's. */
export const TEAM_NAMESPACE_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

function toSummary(namespace: V1Namespace): TeamNamespaceSummary {
  const { metadata, status } = namespace;
  const owner = metadata?.annotations?.[OWNER_ANNOTATION];
  const team = metadata?.labels?.[TEAM_LABEL];
  const created = metadata?.creationTimestamp;
  return {
    name: metadata!.name!,
    ...(owner ? { owner } : {}),
    ...(team ? { team } : {}),
    ...(status?.phase ? { phase: status.phase } : {}),
    ...(created ? { createdAt: new Date(created).toISOString() } : {}),
  };
}

function toListError(
  error: unknown,
  cluster: string,
  doing = 'Listing the namespaces',
): Error {
  const failure = toKubernetesApiError(
    error,
    `${doing} of cluster "${cluster}" failed`,
  );
  if (failure.status === 401 || failure.status === 403) {
    return new NotAllowedError(
      `${failure.message} (the portal's credentials for the cluster may not read namespaces)`,
    );
  }
  if (failure.status === 400 || failure.status === 422) {
    return toBackstageError(failure);
  }
  // No answer, a dropped connection or an API server in trouble: try later.
  return new ServiceUnavailableError(failure.message);
}

/** Races a request against the timeout, with the timer cleared after. */
async function withTimeout<T>(
  request: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ServiceUnavailableError(
            `${what} failed: no answer within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([request, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One team namespace the portal created on a cluster. NotFoundError when it
 * does not exist or does not carry the portal's managed-by label: the two
 * answer alike, so a caller learns nothing of namespaces that are not the
 * portal's.
 */
export async function readTeamNamespace(
  kubeConfig: KubeConfig,
  name: string,
  options: ListTeamNamespacesOptions = {},
): Promise<TeamNamespaceSummary> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const cluster =
    options.cluster ?? kubeConfig.getCurrentCluster()?.name ?? 'unknown';
  const notFound = () =>
    new NotFoundError(
      `namespace "${name}" is not a team namespace on cluster "${cluster}"`,
    );
  const doing = `Reading namespace "${name}"`;
  const api = kubeConfig.makeApiClient(CoreV1Api);
  let namespace: V1Namespace;
  try {
    namespace = await withTimeout(
      api.readNamespace({ name }),
      timeoutMs,
      `${doing} of cluster "${cluster}"`,
    );
  } catch (error) {
    if (error instanceof ServiceUnavailableError) throw error;
    if (kubernetesStatusOf(error) === 404) throw notFound();
    throw toListError(error, cluster, doing);
  }
  if (namespace.metadata?.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY) {
    throw notFound();
  }
  return toSummary(namespace);
}

/**
 * The team namespaces the portal created on a cluster (those carrying its
 * managed-by label), sorted by name. Other namespaces are never listed.
 */
export async function listTeamNamespaces(
  kubeConfig: KubeConfig,
  options: ListTeamNamespacesOptions = {},
): Promise<TeamNamespaceSummary[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const cluster =
    options.cluster ?? kubeConfig.getCurrentCluster()?.name ?? 'unknown';
  const api = kubeConfig.makeApiClient(CoreV1Api);
  try {
    const list = await withTimeout(
      api.listNamespace({ labelSelector: TEAM_NAMESPACE_SELECTOR }),
      timeoutMs,
      `Listing the namespaces of cluster "${cluster}"`,
    );
    return list.items
      .filter(ns => ns.metadata?.name)
      .map(toSummary)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch (error) {
    if (error instanceof ServiceUnavailableError) throw error;
    throw toListError(error, cluster);
  }
}
