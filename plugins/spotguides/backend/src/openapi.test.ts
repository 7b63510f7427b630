import SwaggerParser from '@apidevtools/swagger-parser';
import { mockServices } from '@backstage/backend-test-utils';
import { documentedRoutes, servedRoutes } from '@pipeline-portal/testing';
import { resolve } from 'node:path';
import { createRouter } from './router';

const SPEC_FILE = resolve(__dirname, 'schema/openapi.yaml');

describe('openapi.yaml', () => {
  it('is a valid OpenAPI document', async () => {
    await expect(SwaggerParser.validate(SPEC_FILE)).resolves.toBeDefined();
  });

  it('describes exactly the routes the router serves', async () => {
    const router = await createRouter({
      logger: mockServices.logger.mock(),
      database: mockServices.database.mock(),
      httpAuth: mockServices.httpAuth(),
      deliveries: {} as any,
      runs: {} as any,
      explain: {} as any,
      bindings: {} as any,
      scope: {} as any,
      appBaseUrl: 'http://portal.test',
    });
    expect(servedRoutes(router)).toEqual(documentedRoutes(SPEC_FILE));
  });
});
