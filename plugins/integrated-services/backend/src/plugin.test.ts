import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { integratedServicesPlugin } from './plugin';

// The health route itself is tested in @pipeline-portal/backend-health, on
// SQLite and PostgreSQL; this checks the plugin's wiring.
describe('integratedServicesPlugin', () => {
  it('answers its health route without credentials', async () => {
    const { server } = await startTestBackend({
      features: [integratedServicesPlugin],
    });

    const res = await request(server).get('/api/integrated-services/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok' });
  });

  it('refuses invalid credentials on any other route', async () => {
    const { server } = await startTestBackend({
      features: [integratedServicesPlugin],
    });

    const res = await request(server)
      .get('/api/integrated-services/anything')
      .set('Authorization', mockCredentials.user.invalidHeader());
    expect(res.status).toBe(401);
  });
});
