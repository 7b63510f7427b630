import type { KubernetesObject } from '@kubernetes/client-node';
import {
  findVersion,
  getPointer,
  IntegratedServiceEntity,
} from '@pipeline-portal/plugin-integrated-services-common';
import { StepFailedError } from './errors';
import { ServiceInstance } from './instance';
import { RenderedService, renderService } from './render';

type Definition = Pick<IntegratedServiceEntity, 'metadata' | 'spec'>;

/** The value of a stored credential by name; undefined when it does not exist. */
export type CredentialLookup = (
  name: string,
) => Promise<Record<string, string> | undefined>;

/**
 * Renders a version of the service for an instance, with the values of the
 * credentials its spec names; a missing credential or key fails the step.
 */
export async function renderInstance(
  definition: Definition,
  version: string,
  instance: ServiceInstance,
  credentials: CredentialLookup | undefined,
): Promise<RenderedService> {
  const v = findVersion(definition, version);
  if (!v) throw new StepFailedError(`version ${version} is not offered`);
  const values = new Map<string, Record<string, string>>();
  for (const binding of v.secrets ?? []) {
    const name = getPointer(instance.spec.spec ?? {}, binding.field);
    if (typeof name !== 'string' || !name) continue;
    if (!credentials) continue;
    const value = await credentials(name);
    if (!value) {
      throw new StepFailedError(
        `credential "${name}" (spec field ${binding.field}) does not exist`,
      );
    }
    const missing = binding.keys.filter(k => !(k in value));
    if (missing.length) {
      throw new StepFailedError(
        `credential "${name}" lacks the key(s) ${missing.join(', ')}`,
      );
    }
    values.set(name, value);
  }
  return renderService(definition, v, instance, values);
}

/** What to apply, in order: the Secrets' namespace, the Secrets, the source, the release. */
export function objectsOf(rendered: RenderedService): KubernetesObject[] {
  const ns = rendered.secrets.length
    ? [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: rendered.targetNamespace },
        },
      ]
    : [];
  return [...ns, ...rendered.secrets, rendered.source, rendered.release];
}
