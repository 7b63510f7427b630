import {
  Content,
  ContentHeader,
  InfoCard,
  Progress,
  StatusError,
  StatusOK,
  WarningPanel,
} from '@backstage/core-components';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';

export interface CapabilityPageProps {
  pluginId: string;
  title: string;
  description: string;
}

/**
 * The landing page of one of the portal's capabilities. It shows whether the
 * capability's backend plugin answers; the capability's own screens replace
 * the body as they are built.
 */
export function CapabilityPage(props: CapabilityPageProps) {
  const discovery = useApi(discoveryApiRef);
  const { fetch } = useApi(fetchApiRef);
  const health = useAsync(async () => {
    const baseUrl = await discovery.getBaseUrl(props.pluginId);
    const response = await fetch(`${baseUrl}/health`);
    if (!response.ok) {
      throw new Error(`${response.status} ${response.statusText}`);
    }
    return (await response.json()) as { status: string };
  }, [props.pluginId]);

  return (
    <Content>
      <ContentHeader title={props.title} />
      <InfoCard title="About">
        <Typography variant="body1">{props.description}</Typography>
      </InfoCard>
      <div style={{ marginTop: 16 }}>
        {health.loading && <Progress />}
        {health.error && (
          <WarningPanel
            severity="error"
            title={`The ${props.pluginId} backend does not answer`}
          >
            <StatusError>{health.error.message}</StatusError>
          </WarningPanel>
        )}
        {health.value && (
          <InfoCard title="Backend">
            <StatusOK>
              <span data-testid="capability-health">
                {props.pluginId} backend: {health.value.status}
              </span>
            </StatusOK>
          </InfoCard>
        )}
      </div>
    </Content>
  );
}
