import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { spotguidesPlugin } from './plugin';

// The health route itself is tested in @pipeline-portal/backend-health, on
// SQLite and PostgreSQL; this checks the plugin's wiring.
const features = [
  spotguidesPlugin,
  mockServices.rootConfig.factory({
    data: { app: { baseUrl: 'http://localhost:3000' } },
  }),
];

describe('spotguidesPlugin', () => {
  it('answers its health route without credentials', async () => {
    const { server } = await startTestBackend({ features });

    const res = await request(server).get('/api/spotguides/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok' });
  });

  it('refuses invalid credentials on any other route', async () => {
    const { server } = await startTestBackend({ features });

    const res = await request(server)
      .get('/api/spotguides/anything')
      .set('Authorization', mockCredentials.user.invalidHeader());
    expect(res.status).toBe(401);
  });
});
