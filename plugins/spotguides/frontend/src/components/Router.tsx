import { Route, Routes } from 'react-router-dom';
import { DeliveriesPage } from './DeliveriesPage';
import { RunPage } from './RunPage';

/** The plugin's pages under `/spotguides`; commit statuses link to `runs/...`. */
export function Router() {
  return (
    <Routes>
      <Route path="/" element={<DeliveriesPage />} />
      <Route path="/runs/:cluster/:namespace/:name" element={<RunPage />} />
    </Routes>
  );
}
