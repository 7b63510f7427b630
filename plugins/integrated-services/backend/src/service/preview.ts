/**
 * What writing a ServiceInstance would do, computed without writing: the
 * objects the reconciler would render for the wanted version, the chart
 * values against the installed HelmRelease's, and the plan from the
 * installed version.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { InputError } from '@backstage/errors';
import {
  IntegratedServiceEntity,
  JsonObject,
  planPath,
  PreviewResult,
  ServiceVersion,
  ValuesChange,
} from '@pipeline-portal/plugin-integrated-services-common';
import { compare, getValueByPointer } from 'fast-json-patch';
import type { ClusterConnection } from '../core/ClusterConnection';
import { ServiceInstance } from '../core/instance';
import { installPlan } from '../core/plan';
import {
  credentialNames,
  renderedHeaders,
  renderService,
  isOci,
} from '../core/render';
import { objectsOf } from '../core/resolve';

type Definition = Pick<IntegratedServiceEntity, 'metadata' | 'spec'>;

/** The plan from the installed version to the wanted one; 400 at /version when there is no path. */
export function previewPlan(
  definition: Definition,
  installed: string | undefined,
  to: string,
): PreviewResult['plan'] {
  if (!installed) {
    return {
      to,
      direction: 'install',
      path: [to],
      steps: installPlan(to, new Date(0)).steps,
    };
  }
  const found = planPath(definition, installed, to);
  if (!found.reachable) {
    throw new InputError(
      `/version: cannot go from ${installed} to ${to}: ${found.unreachable.reason}`,
    );
  }
  return {
    from: installed,
    to,
    direction: found.target.direction,
    path: found.target.path,
    steps: found.target.steps,
  };
}

/** Chart values changes as JSON pointers, with the value before and after. */
export function valuesDiff(
  before: JsonObject,
  after: JsonObject,
): ValuesChange[] {
  return compare(before, after)
    .filter(op => op.op === 'add' || op.op === 'remove' || op.op === 'replace')
    .map(op => {
      const change: ValuesChange = {
        path: op.path,
        op: op.op as ValuesChange['op'],
      };
      if (op.op !== 'add') change.from = getValueByPointer(before, op.path);
      if (op.op !== 'remove') change.to = (op as { value: unknown }).value;
      return change;
    });
}

/**
 * The objects a version renders to for an instance. Secrets are rendered
 * from the names the spec gives, without their values (the preview never
 * reads a credential).
 */
export function previewObjects(
  definition: Definition,
  version: ServiceVersion,
  instance: ServiceInstance,
) {
  const placeholders = new Map(
    credentialNames(version, instance.spec.spec ?? {}).map(c => [
      c.credential,
      Object.fromEntries(c.keys.map(k => [k, ''])),
    ]),
  );
  const rendered = renderService(definition, version, instance, placeholders);
  const objects = objectsOf(rendered).map(o =>
    o.kind === 'Secret' ? withoutData(o) : o,
  );
  return {
    objects: objects as unknown as JsonObject[],
    values: rendered.release.spec.values as JsonObject,
  };
}

function withoutData(secret: KubernetesObject): KubernetesObject {
  const { data, ...rest } = secret as KubernetesObject & {
    data?: Record<string, string>;
  };
  return { ...rest, keys: Object.keys(data ?? {}) } as KubernetesObject;
}

/** The chart values of the installed HelmRelease (none when not installed). */
export async function installedValues(
  conn: ClusterConnection,
  instance: ServiceInstance,
  version: ServiceVersion,
): Promise<JsonObject> {
  const { release } = renderedHeaders(instance, isOci(version));
  const live = await conn.read<KubernetesObject & { spec?: any }>(release);
  return (live?.spec?.values as JsonObject) ?? {};
}
