/**
 * The steps of a plan other than chart upgrades: deleting resources,
 * patching one, running a Job and waiting for it. Each is run once
 * (`apply`) and then checked on later passes (`check`) until done.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type {
  PlannedStep,
  ResourceSelector,
} from '@pipeline-portal/plugin-integrated-services-common';
import { applyPatch, Operation } from 'fast-json-patch';
import { ClusterConnection, describeObject, Header } from './ClusterConnection';
import { StepFailedError } from './errors';
import {
  INSTANCE_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_PORTAL,
} from './instance';

export type StepOutcome = 'done' | 'waiting';

export interface StepContext {
  conn: ClusterConnection;
  /** The service's namespace: the default for namespaced selectors. */
  targetNamespace: string;
  instanceName: string;
  /** Index of the step in its plan (names its Job). */
  index: number;
  /** When the step started, for timeouts. */
  startedAt: number;
  now: number;
}

type JobStep = Extract<PlannedStep, { type: 'runJob' }>;
type DeleteStep = Extract<PlannedStep, { type: 'deleteResources' }>;
type PatchStep = Extract<PlannedStep, { type: 'patchResource' }>;

async function matching(
  ctx: StepContext,
  selector: ResourceSelector,
): Promise<Header[]> {
  const namespace = selector.namespace ?? ctx.targetNamespace;
  if (selector.name && !selector.labelSelector) {
    return [
      {
        apiVersion: selector.apiVersion,
        kind: selector.kind,
        metadata: { name: selector.name, namespace },
      },
    ];
  }
  const items = await ctx.conn.list(
    selector.apiVersion,
    selector.kind,
    namespace,
    selector.labelSelector,
  );
  return items
    .filter(o => !selector.name || o.metadata?.name === selector.name)
    .map(o => ({
      apiVersion: selector.apiVersion,
      kind: selector.kind,
      metadata: { name: o.metadata?.name, namespace: o.metadata?.namespace },
    }));
}

/** Deletes what the selectors match; done once nothing matches any more. */
export async function deleteResources(
  ctx: StepContext,
  step: DeleteStep,
  applied: boolean,
): Promise<StepOutcome> {
  let remaining = 0;
  for (const selector of step.resources) {
    for (const header of await matching(ctx, selector)) {
      if (!applied) {
        if (await ctx.conn.delete(header)) remaining++;
      } else if (await ctx.conn.read(header)) {
        remaining++;
      }
    }
  }
  return remaining === 0 ? 'done' : 'waiting';
}

/** Patches one resource; a missing resource fails the step. */
export async function patchResource(
  ctx: StepContext,
  step: PatchStep,
): Promise<StepOutcome> {
  const header: Header = {
    apiVersion: step.resource.apiVersion,
    kind: step.resource.kind,
    metadata: {
      name: step.resource.name,
      namespace: step.resource.namespace ?? ctx.targetNamespace,
    },
  };
  const live = await ctx.conn.read(header);
  if (!live) {
    throw new StepFailedError(
      `patchResource: ${describeObject(header)} does not exist`,
    );
  }
  if (step.patchType === 'json') {
    // client-node sends objects, not JSON Patch documents: patch locally and
    // replace, with the read resourceVersion guarding against a lost update.
    const patched = applyPatch(
      structuredClone(live),
      step.patch as unknown as Operation[],
      true,
      false,
    ).newDocument as KubernetesObject;
    await ctx.conn.apply({
      ...patched,
      metadata: { ...patched.metadata, managedFields: undefined },
    });
  } else {
    await ctx.conn.patchAs(header, step.patch, step.patchType);
  }
  return 'done';
}

/** A DNS label from the job's name, the target version and the step index. */
export function jobName(base: string, to: string, index: number): string {
  const version = to.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const suffix = `-${version}-${index}`.replace(/-+/g, '-');
  return `${base.slice(0, 63 - suffix.length)}${suffix}`.replace(/-+$/, '');
}

/** Creates the step's Job once, then waits for it to succeed, fail or time out. */
export async function runJob(
  ctx: StepContext,
  step: JobStep,
  applied: boolean,
): Promise<StepOutcome> {
  const header: Header = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(step.job.name, step.to, ctx.index),
      namespace: ctx.targetNamespace,
    },
  };
  if (!applied) {
    // A Job of an earlier, failed attempt goes first: Jobs are immutable.
    const old = await ctx.conn.read(header);
    if (old) await ctx.conn.delete(header);
    await ctx.conn.apply({
      ...header,
      metadata: {
        ...header.metadata,
        labels: {
          [MANAGED_BY_LABEL]: MANAGED_BY_PORTAL,
          [INSTANCE_LABEL]: ctx.instanceName,
        },
      },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: step.timeoutSeconds,
        template: {
          spec: {
            restartPolicy: 'Never',
            ...(step.job.serviceAccountName
              ? { serviceAccountName: step.job.serviceAccountName }
              : {}),
            containers: [
              {
                name: 'step',
                image: step.job.image,
                ...(step.job.command ? { command: step.job.command } : {}),
                ...(step.job.args ? { args: step.job.args } : {}),
                ...(step.job.env ? { env: step.job.env } : {}),
              },
            ],
          },
        },
      },
    } as KubernetesObject);
    return 'waiting';
  }
  const job = (await ctx.conn.read(header)) as
    | (KubernetesObject & { status?: any })
    | undefined;
  if (!job) {
    throw new StepFailedError(`runJob: Job ${header.metadata.name} is gone`);
  }
  if ((job.status?.succeeded ?? 0) > 0) return 'done';
  const failed = (job.status?.conditions ?? []).find(
    (c: any) => c.type === 'Failed' && c.status === 'True',
  );
  if (failed) {
    throw new StepFailedError(
      `runJob: Job ${header.metadata.name} failed: ${
        failed.message ?? failed.reason
      }`,
    );
  }
  if (ctx.now - ctx.startedAt > step.timeoutSeconds * 1000) {
    throw new StepFailedError(
      `runJob: Job ${header.metadata.name} did not finish within ${step.timeoutSeconds} s`,
    );
  }
  return 'waiting';
}
