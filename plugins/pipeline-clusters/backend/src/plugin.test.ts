import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { pipelineClustersPlugin } from './plugin';

describe('pipelineClustersPlugin', () => {
  it('answers its health route without credentials', async () => {
    const { server } = await startTestBackend({
      features: [
        pipelineClustersPlugin,
        mockServices.rootConfig.factory({ data: {} }),
      ],
    });

    const res = await request(server).get('/api/pipeline-clusters/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('refuses invalid credentials on any other route', async () => {
    const { server } = await startTestBackend({
      features: [pipelineClustersPlugin],
    });

    const res = await request(server)
      .get('/api/pipeline-clusters/anything')
      .set('Authorization', mockCredentials.user.invalidHeader());
    expect(res.status).toBe(401);
  });
});
