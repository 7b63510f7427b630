import type { CustomObjectsApi } from '@kubernetes/client-node';
import {
  kubernetesStatusOf,
  mapWithConcurrency,
  toKubernetesApiError,
} from '@pipeline-portal/backend-kit';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TransientError } from '../engine/errors';
import type { RunTarget } from './RunTarget';

/** Marks the shipped tasks' revision on each installed Task. */
export const TASKS_DIGEST_ANNOTATION = 'pipeline-portal.io/tasks-digest';

interface Task {
  apiVersion: string;
  kind: 'Task';
  metadata: { name: string; [key: string]: unknown };
  [key: string]: unknown;
}

/**
 * Installs the portal's curated Tekton Tasks (`catalog/tekton-tasks/`) into a
 * team namespace the first time a run goes there, and again when the shipped
 * tasks change: the spotguides' pipelines refer to them by name. Once per
 * namespace and revision per process; a failed install is tried again with
 * the next run.
 */
export class TaskInstaller {
  private readonly installed = new Map<string, Promise<void>>();
  readonly digest: string;

  constructor(private readonly tasks: Task[]) {
    this.digest = createHash('sha256')
      .update(JSON.stringify(tasks))
      .digest('hex')
      .slice(0, 16);
  }

  /** Reads every Task of the `.yaml` files in `directory`. */
  static fromDirectory(directory: string): TaskInstaller {
    const tasks: Task[] = [];
    for (const file of fs.readdirSync(directory).sort()) {
      if (!/\.ya?ml$/.test(file)) continue;
      const text = fs.readFileSync(path.join(directory, file), 'utf8');
      for (const doc of parseAllDocuments(text)) {
        const task = doc.toJSON();
        if (task?.kind === 'Task') tasks.push(task);
      }
    }
    return new TaskInstaller(tasks);
  }

  get names(): string[] {
    return this.tasks.map(t => t.metadata.name);
  }

  ensure(target: RunTarget, api: CustomObjectsApi): Promise<void> {
    const key = `${target.cluster}/${target.namespace}`;
    const known = this.installed.get(key);
    if (known) return known;
    const install = this.install(target, api);
    this.installed.set(key, install);
    install.catch(() => this.installed.delete(key));
    return install;
  }

  private async install(target: RunTarget, api: CustomObjectsApi) {
    const where = { group: 'tekton.dev', version: 'v1', plural: 'tasks' };
    await mapWithConcurrency(this.tasks, 4, async task => {
      const name = task.metadata.name;
      const body = {
        ...task,
        metadata: {
          ...task.metadata,
          namespace: target.namespace,
          annotations: {
            ...(task.metadata.annotations as object),
            [TASKS_DIGEST_ANNOTATION]: this.digest,
          },
        },
      };
      try {
        let current: any;
        try {
          current = await api.getNamespacedCustomObject({
            ...where,
            namespace: target.namespace,
            name,
          });
        } catch (error) {
          if (kubernetesStatusOf(error) !== 404) throw error;
        }
        if (!current) {
          await api
            .createNamespacedCustomObject({
              ...where,
              namespace: target.namespace,
              body,
            })
            .catch(error => {
              // Another replica installed it meanwhile.
              if (kubernetesStatusOf(error) !== 409) throw error;
            });
        } else if (
          current.metadata?.annotations?.[TASKS_DIGEST_ANNOTATION] !==
          this.digest
        ) {
          await api.replaceNamespacedCustomObject({
            ...where,
            namespace: target.namespace,
            name,
            body: {
              ...body,
              metadata: {
                ...body.metadata,
                resourceVersion: current.metadata?.resourceVersion,
              },
            },
          });
        }
      } catch (error) {
        const what = `installing Task ${target.namespace}/${name} on ${target.cluster}`;
        const failure = toKubernetesApiError(error, what);
        // A conflict: another replica replaced it meanwhile; look again.
        if (failure.transient || failure.status === 409) {
          throw new TransientError(`${what}: cluster unavailable`, {
            cause: error,
          });
        }
        throw failure;
      }
    });
  }
}
