/**
 * The integrated-services domain, without HTTP: the services the catalog
 * offers, their plans, the ServiceInstances on the portal's clusters, and
 * activating, updating and deactivating them. The cluster holds the desired
 * state; nothing of it is kept here.
 */
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  ActivateRequest,
  IntegratedServiceEntity,
  InstanceList,
  JsonObject,
  ListInstancesRequest,
  planTargets,
  PreviewResult,
  ServiceInstanceView,
  ServiceList,
  ServicePlan,
  ServiceVersion,
} from '@pipeline-portal/plugin-integrated-services-common';
import { mapWithConcurrency } from '@pipeline-portal/backend-kit';
import type { ClusterConnection } from '../core/ClusterConnection';
import { ClusterApiError } from '../core/errors';
import {
  API_VERSION,
  instanceObject,
  isPortalManaged,
  KIND,
  MANAGED_BY_LABEL,
  MANAGED_BY_PORTAL,
  ServiceInstance,
} from '../core/instance';
import { describeIssues, specIssues, wantedVersion } from '../core/validate';
import type { Clusters, PortalCluster } from './ClusterDirectory';
import {
  installedValues,
  previewObjects,
  previewPlan,
  valuesDiff,
} from './preview';
import { toView } from './toView';
import { matches, summaryOf } from './views';

/** Where the service definitions come from (the catalog, cached). */
export interface Definitions {
  all(): Promise<Map<string, IntegratedServiceEntity>>;
  get(name: string): Promise<IntegratedServiceEntity | undefined>;
}

export interface IntegratedServicesOptions {
  clusters: Clusters;
  definitions: Definitions;
  /** Namespace of the ServiceInstances on every cluster. */
  namespace: string;
  /** Clusters read at once when listing the fleet. @default 20 */
  listConcurrency?: number;
}

/** What a write needs to know about the instance it targets. */
interface Target {
  cluster: PortalCluster;
  conn: ClusterConnection;
  definition: IntegratedServiceEntity;
  version: ServiceVersion;
  live?: ServiceInstance;
  /** The ServiceInstance as it would be written. */
  next: ServiceInstance;
}

export class IntegratedServices {
  constructor(private readonly options: IntegratedServicesOptions) {}

  async listServices(): Promise<ServiceList> {
    const all = await this.options.definitions.all();
    const items = [...all.values()]
      .map(summaryOf)
      .sort((a, b) => a.name.localeCompare(b.name));
    return { items };
  }

  async getService(name: string): Promise<IntegratedServiceEntity> {
    const definition = await this.options.definitions.get(name);
    if (!definition) {
      throw new NotFoundError(`integrated service "${name}" is not offered`);
    }
    return definition;
  }

  async plan(name: string, from: string): Promise<ServicePlan> {
    const definition = await this.getService(name);
    if (!definition.spec.versions.some(v => v.version === from)) {
      throw new NotFoundError(`version "${from}" of ${name} is not offered`);
    }
    const { targets, unreachable } = planTargets(definition, from);
    return { service: name, from, targets, unreachable };
  }

  /** Instances on every Running cluster `visible` lets through, filtered. */
  async listInstances(
    filter: ListInstancesRequest = {},
    visible: (cluster: PortalCluster) => boolean = () => true,
  ): Promise<InstanceList> {
    const clusters = (await this.options.clusters.list()).filter(visible);
    if (clusters.length === 0) {
      return {
        items: [],
        clusters: 0,
        problems: [],
        message:
          'No Running cluster to list integrated services from: create or import a cluster first',
      };
    }
    const problems: InstanceList['problems'] = [];
    const lists = await mapWithConcurrency(
      clusters,
      this.options.listConcurrency ?? 20,
      async cluster => {
        try {
          return await this.instancesOn(cluster);
        } catch (error) {
          problems.push({
            cluster: cluster.name,
            message: (error as Error).message,
          });
          return [];
        }
      },
    );
    const items = lists.flat().filter(view => matches(view, filter));
    problems.sort((a, b) => a.cluster.localeCompare(b.cluster));
    return { items, clusters: clusters.length, problems };
  }

  async listClusterInstances(name: string): Promise<InstanceList> {
    const cluster = await this.runningCluster(name);
    return {
      items: await this.instancesOn(cluster),
      clusters: 1,
      problems: [],
    };
  }

  async getInstance(
    clusterName: string,
    service: string,
  ): Promise<ServiceInstanceView> {
    const cluster = await this.runningCluster(clusterName);
    const conn = await this.options.clusters.connect(cluster);
    const live = await this.readInstance(conn, service);
    if (!live) {
      throw new NotFoundError(
        `${service} is not activated on cluster ${clusterName}`,
      );
    }
    return toView(cluster.name, live);
  }

  /** Whether the service has an instance on the cluster (activate or update). */
  async exists(clusterName: string, service: string): Promise<boolean> {
    const cluster = await this.runningCluster(clusterName);
    const conn = await this.options.clusters.connect(cluster);
    return (await this.readInstance(conn, service)) !== undefined;
  }

  /** What `put` would write and what the reconciler would do; writes nothing. */
  async preview(
    clusterName: string,
    service: string,
    request: ActivateRequest,
  ): Promise<PreviewResult> {
    const t = await this.target(clusterName, service, request);
    const installed = t.live?.status?.installedVersion;
    const plan = previewPlan(t.definition, installed, t.version.version);
    const { objects, values } = previewObjects(t.definition, t.version, t.next);
    const before = installed
      ? await installedValues(t.conn, t.next, t.version)
      : {};
    return {
      cluster: t.cluster.name,
      service,
      version: t.version.version,
      instance: t.next as unknown as JsonObject,
      objects,
      values,
      valuesDiff: valuesDiff(before, values),
      plan,
    };
  }

  /** Activates or updates: writes the ServiceInstance; the reconciler does the rest. */
  async put(
    clusterName: string,
    service: string,
    request: ActivateRequest,
  ): Promise<ServiceInstanceView> {
    const t = await this.target(clusterName, service, request);
    // Refuse a version the installed one has no path to, before writing.
    previewPlan(
      t.definition,
      t.live?.status?.installedVersion,
      t.version.version,
    );
    const written = await this.write(t.conn, t.live, t.next);
    return toView(t.cluster.name, written);
  }

  /** Deactivates: deletes the instance; its finalizer holds it while the reconciler uninstalls. */
  async remove(clusterName: string, service: string): Promise<void> {
    const cluster = await this.runningCluster(clusterName);
    const conn = await this.options.clusters.connect(cluster);
    const live = await this.readInstance(conn, service);
    if (!live) {
      throw new NotFoundError(
        `${service} is not activated on cluster ${clusterName}`,
      );
    }
    if (!isPortalManaged(live)) {
      throw new ConflictError(
        `${service} on cluster ${clusterName} is managed externally; adopt it before deactivating it`,
      );
    }
    await conn.delete(live);
  }

  /** The cluster's owner, for the permission rule; NotFoundError when unknown. */
  async clusterOwner(name: string): Promise<string> {
    return (await this.options.clusters.get(name)).owner;
  }

  private async runningCluster(name: string): Promise<PortalCluster> {
    const cluster = await this.options.clusters.get(name);
    if (cluster.phase !== 'Running') {
      throw new ConflictError(
        `cluster ${name} is ${cluster.phase}, not Running: its services cannot be read or changed now`,
      );
    }
    return cluster;
  }

  private async instancesOn(
    cluster: PortalCluster,
  ): Promise<ServiceInstanceView[]> {
    const conn = await this.options.clusters.connect(cluster);
    const items = await conn.list<ServiceInstance & { metadata: any }>(
      API_VERSION,
      KIND,
      this.options.namespace,
    );
    return items
      .map(i => toView(cluster.name, i))
      .sort((a, b) => a.service.localeCompare(b.service));
  }

  private readInstance(conn: ClusterConnection, service: string) {
    return conn.read<ServiceInstance & { metadata: any }>({
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name: service, namespace: this.options.namespace },
    });
  }

  /** Validates a request against the service and the live instance. */
  private async target(
    clusterName: string,
    service: string,
    request: ActivateRequest,
  ): Promise<Target> {
    const definition = await this.getService(service);
    const wanted = wantedVersion(definition, request.version || undefined);
    if ('problem' in wanted) throw new NotFoundError(wanted.problem);
    const issues = specIssues(
      wanted.version,
      request.spec ?? {},
      request.overrides ?? {},
      { spec: '/spec', overrides: '/overrides' },
    );
    if (issues.length) {
      throw new InputError(`invalid request: ${describeIssues(issues)}`);
    }
    const cluster = await this.runningCluster(clusterName);
    const conn = await this.options.clusters.connect(cluster);
    const live = await this.readInstance(conn, service);
    if (live?.metadata.deletionTimestamp) {
      throw new ConflictError(
        `${service} on cluster ${clusterName} is being deactivated`,
      );
    }
    if (live && !isPortalManaged(live) && !request.adopt) {
      throw new ConflictError(
        `${service} on cluster ${clusterName} is managed externally; set adopt to take it over`,
      );
    }
    const fresh = instanceObject(this.options.namespace, {
      service,
      version: request.version ?? '',
      enabled: request.enabled ?? true,
      spec: request.spec ?? {},
      overrides: request.overrides ?? {},
    });
    const next: ServiceInstance = live
      ? {
          ...live,
          metadata: {
            ...live.metadata,
            labels: {
              ...live.metadata.labels,
              [MANAGED_BY_LABEL]: MANAGED_BY_PORTAL,
            },
          },
          spec: fresh.spec,
        }
      : fresh;
    return { cluster, conn, definition, version: wanted.version, live, next };
  }

  private async write(
    conn: ClusterConnection,
    live: ServiceInstance | undefined,
    next: ServiceInstance,
  ): Promise<ServiceInstance> {
    try {
      const written = live
        ? await conn.replace(next as any)
        : await conn.create(next as any);
      return written as unknown as ServiceInstance;
    } catch (error) {
      if (error instanceof ClusterApiError && error.status === 409) {
        throw new ConflictError(
          `${next.metadata.name} changed on the cluster meanwhile; read it again and retry`,
        );
      }
      throw error;
    }
  }
}
