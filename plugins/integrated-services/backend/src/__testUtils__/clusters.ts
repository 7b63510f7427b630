import { NotFoundError } from '@backstage/errors';
import type { IntegratedServiceEntity } from '@pipeline-portal/plugin-integrated-services-common';
import type { ClusterConnection } from '../core/ClusterConnection';
import type { Clusters, PortalCluster } from '../service/ClusterDirectory';
import type { Definitions } from '../service/IntegratedServices';

/** Clusters backed by connections the test made (Kubernetes doubles). */
export class TestClusters implements Clusters {
  readonly clusters = new Map<
    string,
    { cluster: PortalCluster; conn?: ClusterConnection }
  >();
  readonly credentials = new Map<string, Record<string, string>>();

  add(
    name: string,
    owner: string,
    conn?: ClusterConnection,
    phase = 'Running',
  ): this {
    this.clusters.set(name, {
      cluster: { name, owner, phase, updatedAt: '2026-12-06T00:00:00Z' },
      conn,
    });
    return this;
  }

  async list() {
    return [...this.clusters.values()]
      .map(c => c.cluster)
      .filter(c => c.phase === 'Running');
  }

  async get(name: string) {
    const found = this.clusters.get(name);
    if (!found) throw new NotFoundError(`cluster "${name}" not found`);
    return found.cluster;
  }

  async connect(cluster: PortalCluster) {
    const conn = this.clusters.get(cluster.name)?.conn;
    if (!conn) throw new Error(`cluster ${cluster.name} does not answer`);
    return conn;
  }

  async credential(owner: string, name: string) {
    return this.credentials.get(`${owner}/${name}`);
  }
}

/** Definitions from a map, as the catalog would give them. */
export function mapDefinitions(
  map: Map<string, IntegratedServiceEntity>,
): Definitions {
  return {
    all: async () => map,
    get: async name => map.get(name),
  };
}
