/**
 * Advances each ServiceInstance of a cluster towards its spec: renders the
 * Flux objects of the wanted version, walks the upgrade (or downgrade) plan
 * one step at a time, waits for each HelmRelease to be Ready at the expected
 * chart version, puts back what was changed by hand, and says all of it in
 * the instance's status. Pure of Backstage: the portal's scheduled task and
 * the in-cluster operator both run it.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  IntegratedServiceEntity,
  planPath,
} from '@pipeline-portal/plugin-integrated-services-common';
import { ClusterConnection } from './ClusterConnection';
import { ClusterApiError } from './errors';
import {
  API_VERSION,
  InstancePlan,
  InstanceStatus,
  isPortalManaged,
  KIND,
  ServiceInstance,
  UNINSTALL_FINALIZER,
} from './instance';
import { buildPlan, installPlan } from './plan';
import { RenderedService } from './render';
import { CredentialLookup, renderInstance } from './resolve';
import { runStep } from './runStep';
import { steady } from './steady';
import { targetsFrom, writeStatus } from './status';
import { uninstall } from './uninstall';
import { recordFailure } from './failure';
import { describeIssues, specIssues, wantedVersion } from './validate';

type Definition = Pick<IntegratedServiceEntity, 'metadata' | 'spec'>;

export interface InstanceReconcilerOptions {
  /** The definition of a service by name (from the catalog, or files). */
  definitions: (service: string) => Definition | undefined;
  /**
   * The value of a stored credential named in a spec, for this cluster's
   * owner; undefined when it does not exist. Without it (the operator),
   * the Secrets a service needs must already be on the cluster.
   */
  credentials?: CredentialLookup;
  /** Which instances to act on. @default portal-managed ones */
  manages?: (instance: ServiceInstance) => boolean;
  /** First retry delay after a failure; doubles up to maxBackoffMs. @default 5000 */
  baseBackoffMs?: number;
  /** @default 300000 */
  maxBackoffMs?: number;
  now?: () => number;
  log?: (message: string) => void;
}

export interface ClusterPassResult {
  instances: number;
  /** Instances skipped as managed externally. */
  external: number;
  failed: number;
  /** Drift corrections made. */
  drifted: number;
}

/** Steps finished within one pass at most (the rest on the next). */
const STEPS_PER_PASS = 8;

export class InstanceReconciler {
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly now: () => number;
  private readonly manages: (instance: ServiceInstance) => boolean;

  constructor(private readonly options: InstanceReconcilerOptions) {
    this.baseBackoffMs = options.baseBackoffMs ?? 5000;
    this.maxBackoffMs = options.maxBackoffMs ?? 300_000;
    this.now = options.now ?? Date.now;
    this.manages = options.manages ?? isPortalManaged;
  }

  /** Reconciles every instance in a namespace of one cluster. */
  async reconcileCluster(
    conn: ClusterConnection,
    namespace: string,
  ): Promise<ClusterPassResult> {
    const instances = await conn.list<ServiceInstance & KubernetesObject>(
      API_VERSION,
      KIND,
      namespace,
    );
    const result: ClusterPassResult = {
      instances: instances.length,
      external: 0,
      failed: 0,
      drifted: 0,
    };
    for (const instance of instances) {
      if (!this.manages(instance)) {
        result.external++;
        continue;
      }
      try {
        const outcome = await this.reconcile(conn, instance);
        if (outcome === 'failed') result.failed++;
        if (outcome === 'drifted') result.drifted++;
      } catch (error) {
        // Transient (the cluster did not answer): next pass.
        result.failed++;
        this.options.log?.(
          `${conn.name}/${instance.metadata.name}: ${(error as Error).message}`,
        );
      }
    }
    return result;
  }

  /** One instance; throws only transient cluster errors. */
  async reconcile(
    conn: ClusterConnection,
    instance: ServiceInstance,
  ): Promise<'ok' | 'failed' | 'drifted' | 'waiting'> {
    const definition = this.options.definitions(instance.spec.service);
    if (instance.metadata.deletionTimestamp) {
      return uninstall(conn, instance, definition, true, new Date(this.now()));
    }
    const now = new Date(this.now());
    const status = instance.status ?? {};
    const newGeneration =
      status.observedGeneration !== instance.metadata.generation;
    if (
      status.phase === 'Failed' &&
      !newGeneration &&
      status.retryAfter &&
      this.now() < Date.parse(status.retryAfter)
    ) {
      return 'waiting';
    }
    const fail = (message: string) =>
      this.fail(conn, instance, definition, status.plan, message);

    if (!definition) {
      return fail(
        `no integrated service named "${instance.spec.service}" is offered`,
      );
    }
    if (instance.spec.enabled === false) {
      return uninstall(conn, instance, definition, false, now);
    }
    const wanted = wantedVersion(definition, instance.spec.version);
    if ('problem' in wanted) return fail(wanted.problem);
    const target = wanted.version;
    const issues = specIssues(
      target,
      instance.spec.spec,
      instance.spec.overrides,
    );
    if (issues.length) return fail(`invalid: ${describeIssues(issues)}`);
    if (!instance.metadata.finalizers?.includes(UNINSTALL_FINALIZER)) {
      await conn.merge(instance, {
        metadata: {
          finalizers: [
            ...(instance.metadata.finalizers ?? []),
            UNINSTALL_FINALIZER,
          ],
        },
      });
    }

    let plan = status.plan;
    if (plan && plan.to !== target.version) plan = undefined;
    const installed = status.installedVersion;
    if (!plan) {
      if (!installed) {
        plan = installPlan(target.version, now);
      } else if (installed !== target.version) {
        const path = planPath(definition, installed, target.version);
        if (!path.reachable) return fail(path.unreachable.reason);
        plan = buildPlan(path.target, now);
      } else if (newGeneration) {
        // Same version, new spec or overrides: one chart upgrade in place.
        plan = { ...installPlan(target.version, now), from: installed };
      } else {
        return this.steady(conn, instance, definition, status, now);
      }
    }
    return this.walk(conn, instance, definition, status, plan, now);
  }

  /** Walks the plan from its current step; stops at the first step to wait on. */
  private async walk(
    conn: ClusterConnection,
    instance: ServiceInstance,
    definition: Definition,
    status: InstanceStatus,
    initial: InstancePlan,
    now: Date,
  ): Promise<'ok' | 'failed' | 'waiting'> {
    const plan = { ...initial };
    let installed = status.installedVersion;
    // Leaving Failed: the step that failed runs again (Flux is asked to retry).
    const retrying = status.phase === 'Failed';
    const phase = installed ? 'Upgrading' : 'Installing';
    try {
      for (let n = 0; n < STEPS_PER_PASS; n++) {
        const step = plan.steps[plan.currentStep];
        if (!step) break;
        const outcome = await runStep(conn, instance, definition, plan, {
          retrying: retrying && n === 0,
          now,
          render: version => this.render(definition, version, instance),
        });
        if (outcome === 'waiting') {
          await writeStatus(
            conn,
            instance,
            {
              ...status,
              phase,
              installedVersion: installed,
              plan: { ...plan, stepApplied: true },
              message: `step ${plan.currentStep + 1} of ${plan.steps.length} (${
                step.type
              } ${plan.from ? `${step.from} -> ` : ''}${step.to}) in progress`,
              ...targetsFrom(definition, installed),
            },
            now,
          );
          return 'waiting';
        }
        const next = plan.steps[plan.currentStep + 1];
        if (!next || next.from !== step.from || next.to !== step.to) {
          installed = step.to;
        }
        plan.currentStep++;
        plan.stepApplied = false;
        plan.stepStartedAt = now.toISOString();
      }
    } catch (error) {
      if (error instanceof ClusterApiError && error.transient) throw error;
      const message = (error as Error).message;
      return this.fail(conn, instance, definition, plan, message, installed);
    }
    if (plan.currentStep < plan.steps.length) {
      await writeStatus(
        conn,
        instance,
        {
          ...status,
          phase,
          installedVersion: installed,
          plan,
          ...targetsFrom(definition, installed),
        },
        now,
      );
      return 'waiting';
    }
    await writeStatus(
      conn,
      instance,
      {
        phase: 'Ready',
        installedVersion: plan.to,
        message: `${instance.spec.service} ${plan.to} is installed`,
        drift: status.drift,
        ...targetsFrom(definition, plan.to),
      },
      now,
    );
    return 'ok';
  }

  /** Installed and settled: drift and health. */
  private async steady(
    conn: ClusterConnection,
    instance: ServiceInstance,
    definition: Definition,
    status: InstanceStatus,
    now: Date,
  ): Promise<'ok' | 'failed' | 'drifted'> {
    const version = status.installedVersion!;
    let rendered: RenderedService;
    try {
      rendered = await this.render(definition, version, instance);
    } catch (error) {
      const message = (error as Error).message;
      return this.fail(conn, instance, definition, undefined, message, version);
    }
    const result = await steady(
      conn,
      instance,
      rendered,
      targetsFrom(definition, version),
      now,
    );
    if (result.records.length) {
      this.options.log?.(
        `${conn.name}/${
          instance.metadata.name
        }: drift corrected: ${result.records
          .map(r => `${r.object} ${r.kind}`)
          .join(', ')}`,
      );
    }
    return result.outcome;
  }

  private render(
    definition: Definition,
    version: string,
    instance: ServiceInstance,
  ) {
    return renderInstance(
      definition,
      version,
      instance,
      this.options.credentials,
    );
  }

  /** Stops with the error in status; retried after a capped, growing delay. */
  private fail(
    conn: ClusterConnection,
    instance: ServiceInstance,
    definition: Definition | undefined,
    plan: InstancePlan | undefined,
    message: string,
    installed = instance.status?.installedVersion,
  ): Promise<'failed'> {
    this.options.log?.(`${conn.name}/${instance.metadata.name}: ${message}`);
    return recordFailure(conn, instance, {
      definition,
      plan,
      message,
      installed,
      now: new Date(this.now()),
      baseBackoffMs: this.baseBackoffMs,
      maxBackoffMs: this.maxBackoffMs,
    });
  }
}
