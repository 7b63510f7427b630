import { Content, ContentHeader, Link } from '@backstage/core-components';
import { useRouteRef, useRouteRefParams } from '@backstage/frontend-plugin-api';
import { clusterServicesRouteRef, rootRouteRef } from '../../routes';
import { ClusterServices } from './ClusterServices';

/** `/integrated-services/clusters/:cluster`: one cluster's services. */
export function ClusterServicesPage() {
  const { cluster } = useRouteRefParams(clusterServicesRouteRef);
  const fleetLink = useRouteRef(rootRouteRef);
  return (
    <Content>
      <ContentHeader title={`Integrated services on ${cluster}`}>
        {fleetLink && (
          <Link to={fleetLink()} data-testid="back-to-fleet">
            All instances
          </Link>
        )}
      </ContentHeader>
      <ClusterServices cluster={cluster} />
    </Content>
  );
}
