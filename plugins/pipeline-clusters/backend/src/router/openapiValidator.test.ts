import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { secretStoreConfig } from '../__testUtils__/fixtures';
import { pipelineClustersPlugin } from '../plugin';

const BASE = '/api/pipeline-clusters';

describe('the router generated from openapi.yaml', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        pipelineClustersPlugin,
        mockServices.rootConfig.factory({ data: secretStoreConfig }),
      ],
    });
  });
  afterAll(() => backend?.stop());
  const user = mockCredentials.user.header();

  it('serves its own spec', async () => {
    const res = await request(backend.server)
      .get(`${BASE}/openapi.json`)
      .set('Authorization', user);
    expect(res.status).toBe(200);
    expect(res.body.paths).toHaveProperty(['/api/pipeline-clusters/clusters']);
  });

  it('validates against the spec, and words a refusal as the routes do, naming the field', async () => {
    const res = await request(backend.server)
      .post(`${BASE}/clusters`)
      .set('Authorization', user)
      .send({ name: 'Bad_Name' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^invalid cluster spec: /);
    expect(res.body.error.message).toContain('name: must be an RFC 1123');
  });

  it('checks the caller before the input: 401 for a bad token, 403 for a user or an unlisted plugin on a service route', async () => {
    const anonymous = await request(backend.server)
      .post(`${BASE}/clusters`)
      .set('Authorization', mockCredentials.user.invalidHeader())
      .send({ name: 'Bad_Name' });
    expect(anonymous.status).toBe(401);
    const asUser = await request(backend.server)
      .get(`${BASE}/credentials/payments/Not_A_Label/value`)
      .set('Authorization', user);
    expect(asUser.status).toBe(403);
    const unlisted = await request(backend.server)
      .get(`${BASE}/credentials/payments/Not_A_Label/value`)
      .set('Authorization', mockCredentials.service.header());
    expect(unlisted.status).toBe(403);
    const asService = await request(backend.server)
      .get(`${BASE}/credentials/payments/Not_A_Label/value`)
      .set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('plugin:integrated-services'),
          targetPluginId: 'pipeline-clusters',
        }),
      );
    expect(asService.status).toBe(400);
    expect(asService.body.error.message).toContain('credential name in path');
  });
});
