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

  it('asks for credentials on its routes and names the fields at fault', async () => {
    const { server } = await startTestBackend({ features });

    const anonymous = await request(server)
      .get('/api/spotguides/deliveries')
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
    const limit = await request(server)
      .get('/api/spotguides/deliveries?limit=0')
      .set('Authorization', mockCredentials.user.header());
    expect(limit.status).toBe(400);
    expect(limit.body.error.message).toContain('limit');
    const repo = await request(server)
      .get('/api/spotguides/deliveries?repository=not-a-repo')
      .set('Authorization', mockCredentials.user.header());
    expect(repo.status).toBe(400);
    expect(repo.body.error.message).toContain('repository: must be owner/name');
    const empty = await request(server)
      .get('/api/spotguides/deliveries')
      .set('Authorization', mockCredentials.user.header());
    expect(empty.body).toEqual({ items: [] });

    const runs = await request(server)
      .get('/api/spotguides/runs')
      .set('Authorization', mockCredentials.user.header());
    expect(runs.status).toBe(400);
    expect(runs.body.error.message).toContain('entityRef');
    const explain = await request(server)
      .post('/api/spotguides/explain')
      .set('Authorization', mockCredentials.user.header())
      .send({ repository: 'acme/shop', event: 'push' });
    expect(explain.status).toBe(400);
    expect(explain.body.error.message).toContain('/sha');
  });
});
