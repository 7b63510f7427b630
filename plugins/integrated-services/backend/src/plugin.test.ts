import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { integratedServicesPlugin } from './plugin';

describe('integratedServicesPlugin', () => {
  it('answers its health route without credentials', async () => {
    const { server } = await startTestBackend({
      features: [
        integratedServicesPlugin,
        mockServices.rootConfig.factory({ data: {} }),
      ],
    });

    const res = await request(server).get('/api/integrated-services/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
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
