import {
  Content,
  ContentHeader,
  InfoCard,
  Link,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import Typography from '@material-ui/core/Typography';
import { useParams } from 'react-router-dom';
import { rootRouteRef } from '../routes';

/**
 * Where a commit status links to: one PipelineRun, by cluster, namespace
 * and name, with how to follow it from a terminal. Its status and history
 * are on its component's page.
 */
export function RunPage() {
  const { cluster = '', namespace = '', name = '' } = useParams();
  const deliveries = useRouteRef(rootRouteRef);
  return (
    <Content>
      <ContentHeader title={`PipelineRun ${name}`} />
      <InfoCard title="Run">
        <div data-testid="run-identity">
          <Typography paragraph>
            <code>{name}</code> in namespace <code>{namespace}</code> on the
            runtime cluster <code>{cluster}</code>.
          </Typography>
        </div>
        <Typography paragraph>
          Follow its logs with{' '}
          <code data-testid="run-logs-command">
            tkn pipelinerun logs {name} -n {namespace} -f
          </code>{' '}
          on that cluster. Its status and the component&apos;s other runs are on
          the component&apos;s page.
        </Typography>
        {deliveries && <Link to={deliveries()}>All deliveries</Link>}
      </InfoCard>
    </Content>
  );
}
