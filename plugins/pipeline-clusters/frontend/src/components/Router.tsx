import { Route, Routes } from 'react-router-dom';
import { ClusterPage } from './ClusterPage/ClusterPage';
import { ClustersPage } from './ClustersPage/ClustersPage';
import { CredentialsPage } from './CredentialsPage/CredentialsPage';

/** The plugin's pages under `/clusters`; `credentials` outranks `:name`. */
export function Router() {
  return (
    <Routes>
      <Route path="/" element={<ClustersPage />} />
      <Route path="/credentials" element={<CredentialsPage />} />
      <Route path="/:name" element={<ClusterPage />} />
    </Routes>
  );
}
