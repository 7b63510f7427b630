import { Route, Routes } from 'react-router-dom';
import { DeliveriesPage } from './DeliveriesPage';

/** The plugin's pages under `/spotguides`. */
export function Router() {
  return (
    <Routes>
      <Route path="/" element={<DeliveriesPage />} />
    </Routes>
  );
}
