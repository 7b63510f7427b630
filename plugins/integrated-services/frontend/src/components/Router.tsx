import { Route, Routes } from 'react-router-dom';
import { ClusterServicesPage } from './ClusterServices/ClusterServicesPage';
import { FleetPage } from './Fleet/FleetPage';

/** The plugin's pages under `/integrated-services`. */
export function Router() {
  return (
    <Routes>
      <Route path="/" element={<FleetPage />} />
      <Route path="/clusters/:cluster" element={<ClusterServicesPage />} />
    </Routes>
  );
}
