import {
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { TeamNamespaceSpec } from '@pipeline-portal/plugin-pipeline-clusters-common';
import {
  KYVERNO_API_VERSION,
  OWNER_ANNOTATION,
  renderTeamNamespace,
} from './render';

export interface ApplyTeamNamespaceOptions {
  /** Server-side apply field manager (default `pipeline-portal`). */
  fieldManager?: string;
}

export interface ApplyTeamNamespaceResult {
  namespace: string;
  /** `Kind/name` of each object, in the order applied. */
  objects: string[];
}

/** Status code and message of a client-node error, when it has them. */
export function kubeStatus(error: unknown): { code?: number; message: string } {
  const e = error as { code?: unknown; body?: unknown; message?: string };
  let body = e?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // not a Status: keep the text
    }
  }
  const statusMessage =
    body && typeof body === 'object' && 'message' in body
      ? String((body as { message: unknown }).message)
      : undefined;
  return {
    code: typeof e?.code === 'number' ? e.code : undefined,
    message: statusMessage ?? e?.message ?? String(error),
  };
}

function kyvernoMissing(clusterHint: string) {
  // InputError (400), not ServiceUnavailableError (503): retrying never helps;
  // someone must install Kyverno or pick another cluster.
  return new InputError(
    `Kyverno is not installed on the cluster${clusterHint}: the ${KYVERNO_API_VERSION} Policy kind is not served. ` +
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
 * Creates or updates a team's namespace with server-side apply: running it
 * again with the same spec changes nothing. Refuses (before writing anything)
 * when Kyverno is not installed, so no namespace exists without its policies,
 * and when the namespace belongs to another team or is not the portal's.
 */
export async function applyTeamNamespace(
  kubeConfig: KubeConfig,
  spec: TeamNamespaceSpec,
  options: ApplyTeamNamespaceOptions = {},
): Promise<ApplyTeamNamespaceResult> {
  const objects = renderTeamNamespace(spec);
  const fieldManager = options.fieldManager ?? 'pipeline-portal';
  const client = kubeConfig.makeApiClient(ObjectApi);
  const cluster = kubeConfig.getCurrentCluster()?.name;
  const clusterHint = cluster ? ` "${cluster}"` : '';
  const namespace = objects[0].metadata!.name!;

  try {
    // Discovery: 404 when the group is not served, undefined when the kind is not.
    const policy = await client.served(KYVERNO_API_VERSION, 'Policy');
    if (!policy) throw kyvernoMissing(clusterHint);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (kubeStatus(error).code === 404) throw kyvernoMissing(clusterHint);
    throw error;
  }

  await assertOwnable(client, namespace, objects[0]);

  for (const object of objects) {
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
  }
  return { namespace, objects: objects.map(ref) };
}

/**
 * The namespace must be absent or already the same team's: otherwise a
 * request could bind a team as admin of someone else's namespace.
 */
async function assertOwnable(
  client: KubernetesObjectApi,
  name: string,
  desired: KubernetesObject,
) {
  let existing: KubernetesObject;
  try {
    existing = await client.read({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
  } catch (error) {
    if (kubeStatus(error).code === 404) return;
    throw toApplyError(error, desired, '');
  }
  const owner = existing.metadata?.annotations?.[OWNER_ANNOTATION];
  const wanted = desired.metadata?.annotations?.[OWNER_ANNOTATION];
  if (owner !== wanted) {
    throw new ConflictError(
      owner
        ? `namespace: "${name}" belongs to ${owner}`
        : `namespace: "${name}" already exists and is not managed by the portal`,
    );
  }
}

function toApplyError(
  error: unknown,
  object: KubernetesObject,
  clusterHint: string,
): Error {
  const { code, message } = kubeStatus(error);
  if (object.apiVersion === KYVERNO_API_VERSION && code === 404) {
    return kyvernoMissing(clusterHint);
  }
  const what = `Applying ${ref(object)} failed: ${message}`;
  if (code === 400 || code === 422) return new InputError(what);
  if (code === 401 || code === 403) return new NotAllowedError(what);
  if (code === 409) return new ConflictError(what);
  return new Error(what);
}
