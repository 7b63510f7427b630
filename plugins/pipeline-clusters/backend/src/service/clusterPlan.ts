import type { KubernetesObject } from '@kubernetes/client-node';
import type { DriftRules } from '@pipeline-portal/backend-kit';
import { ClusterSpec } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { cloudContextFromCredential, getDistribution } from '../distributions';
import {
  ClusterDistribution,
  KubeconfigLocation,
  RenderContext,
} from '../distributions/types';
import { ManagementApiError } from '../management/errors';
import { SecretStore } from '../secrets/SecretStore';
import { ClusterRecord } from '../store/ClusterStore';

/** Every key reads as empty. */
const BLANK_CREDENTIAL = new Proxy({} as Record<string, string>, {
  get: () => '',
});

/**
 * What one pass needs of one cluster, resolved once from its record: the
 * distribution, the render context, the rendered objects and the drift rules.
 */
export interface ClusterPlan {
  readonly record: ClusterRecord;
  readonly spec: ClusterSpec;
  readonly distribution: ClusterDistribution;
  readonly ctx: RenderContext;
  /** The engine's objects in render order: dependents last. */
  readonly objects: KubernetesObject[];
  /**
   * The cloud credential as management-cluster objects. On deletion, rendered
   * from a blank value of the same kind when the credential is gone (only
   * their names matter then).
   */
  readonly credentialObjects: KubernetesObject[];
  /** On deletion: why the credential objects could not be rendered. */
  readonly credentialProblem?: string;
  readonly rulesFor: (object: KubernetesObject) => DriftRules;
  readonly kubeconfig: KubeconfigLocation;
}

/** Where the plan's objects live and where the cloud credential is read. */
export interface PlanSources {
  secrets: SecretStore;
  /** Namespace of the portal's objects on the management cluster. */
  namespace: string;
}

/**
 * Resolves a cluster's plan. A cluster being created or updated needs its
 * credential; a deleting one renders without it: names do not depend on the
 * cloud coordinates, and placeholders let engines that require them render.
 */
export async function planCluster(
  record: ClusterRecord,
  { secrets, namespace }: PlanSources,
): Promise<ClusterPlan> {
  const spec = record.spec!;
  const deleting = record.phase === 'Deleting';
  const distribution = getDistribution(spec.distribution);
  const stored = await secrets.get({
    owner: spec.owner,
    name: spec.credential,
  });
  if (!stored && !deleting) {
    throw new ManagementApiError(
      `credential "${spec.credential}" of ${spec.owner} no longer exists`,
      false,
    );
  }
  const credential = stored?.value;
  const ctx: RenderContext = {
    namespace,
    credentialSecretName: `${record.name}-credentials`,
    cloud: credential
      ? cloudContextFromCredential(spec.distribution, credential)
      : { gcpProject: 'unknown', ociCompartmentId: 'unknown' },
  };
  const objects = distribution.render(spec, ctx);

  let credentialObjects: KubernetesObject[] = [];
  let credentialProblem: string | undefined;
  if (!deleting) {
    credentialObjects = distribution.credentialObjects(spec, ctx, credential!);
  } else {
    try {
      credentialObjects = distribution.credentialObjects(
        spec,
        ctx,
        credential ?? BLANK_CREDENTIAL,
      );
    } catch (error) {
      credentialProblem = String(error);
    }
  }

  return {
    record,
    spec,
    distribution,
    ctx,
    objects,
    credentialObjects,
    credentialProblem,
    rulesFor: object => distribution.driftRules?.(spec, object) ?? {},
    kubeconfig: distribution.kubeconfigLocation(spec, ctx),
  };
}
