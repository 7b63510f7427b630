import { Content } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { ClusterServices } from './ClusterServices';

/** The annotation the clusters catalog provider puts on a cluster's Resource entity. */
export const CLUSTER_ANNOTATION = 'pipeline-portal.io/cluster';

/** The Integrated services tab of a cluster's catalog page. */
export function EntityClusterServices() {
  const { entity } = useEntity();
  const cluster = entity.metadata.annotations?.[CLUSTER_ANNOTATION] ?? '';
  return (
    <Content>
      <ClusterServices cluster={cluster} />
    </Content>
  );
}
