import {
  Content,
  ContentHeader,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Alert from '@material-ui/lab/Alert';
import { CredentialSummary } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { pipelineClustersApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { errorMessage, formatTime, useOwnerGroups } from '../util';
import { AddCredentialDialog } from './AddCredentialDialog';

/** Cloud credentials of the user's groups: names and kinds, never values. */
export function CredentialsPage() {
  const api = useApi(pipelineClustersApiRef);
  const clustersLink = useRouteRef(rootRouteRef);
  const groups = useOwnerGroups();
  const list = useAsyncRetry(() => api.listCredentials(), [api]);
  const [adding, setAdding] = useState(false);
  const [toDelete, setToDelete] = useState<CredentialSummary>();
  const [error, setError] = useState<string>();

  const columns: TableColumn<CredentialSummary>[] = [
    { title: 'Name', field: 'name' },
    { title: 'Kind', field: 'kind' },
    {
      title: 'Owner',
      field: 'owner',
      render: c => <EntityRefLink entityRef={c.owner} defaultKind="group" />,
    },
    { title: 'Created', render: c => formatTime(c.createdAt) },
    {
      title: '',
      render: c => (
        <Button
          size="small"
          color="secondary"
          onClick={() => setToDelete(c)}
          data-testid={`delete-credential-${c.name}`}
        >
          Delete
        </Button>
      ),
    },
  ];

  const confirmDelete = async () => {
    if (!toDelete) {
      return;
    }
    try {
      await api.deleteCredential({
        owner: toDelete.owner,
        name: toDelete.name,
      });
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    }
    setToDelete(undefined);
    list.retry();
  };

  return (
    <Content>
      <ContentHeader title="Credentials">
        {clustersLink && (
          <Button component={Link} to={clustersLink()}>
            Clusters
          </Button>
        )}
        <Button
          variant="contained"
          color="primary"
          style={{ marginLeft: 8 }}
          onClick={() => setAdding(true)}
          data-testid="add-credential-button"
        >
          Add credential
        </Button>
      </ContentHeader>
      {error && (
        <Alert severity="error" data-testid="credentials-error">
          {error}
        </Alert>
      )}
      {list.error && <ResponseErrorPanel error={list.error} />}
      {!list.value && list.loading && <Progress />}
      {list.value && (
        <Table<CredentialSummary>
          title="Cloud credentials"
          options={{ search: false, paging: false, padding: 'dense' }}
          columns={columns}
          // Only the summary fields reach the table, whatever else a response holds.
          data={list.value.map(({ name, owner, kind, createdAt }) => ({
            name,
            owner,
            kind,
            createdAt,
          }))}
        />
      )}

      <AddCredentialDialog
        open={adding}
        groups={groups.value ?? []}
        onClose={() => setAdding(false)}
        onAdded={() => {
          setAdding(false);
          list.retry();
        }}
      />
      <Dialog open={!!toDelete} onClose={() => setToDelete(undefined)}>
        <DialogTitle>Delete credential {toDelete?.name}?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            Clusters of {toDelete?.owner} that use it can no longer be changed
            or deleted by the portal.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setToDelete(undefined)}>Cancel</Button>
          <Button
            color="secondary"
            variant="contained"
            onClick={confirmDelete}
            data-testid="delete-credential-confirm"
          >
            Delete
          </Button>
        </DialogActions>
      </Dialog>
    </Content>
  );
}
