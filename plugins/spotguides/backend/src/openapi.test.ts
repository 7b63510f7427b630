import SwaggerParser from '@apidevtools/swagger-parser';
import { mockServices } from '@backstage/backend-test-utils';
import { resolve } from 'node:path';
import { createRouter } from './router';

const SPEC_FILE = resolve(__dirname, 'schema/openapi.yaml');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

describe('openapi.yaml', () => {
  it('is a valid OpenAPI document', async () => {
    await expect(SwaggerParser.validate(SPEC_FILE)).resolves.toBeDefined();
  });

  it('describes exactly the routes the router serves', async () => {
    const spec = (await SwaggerParser.parse(SPEC_FILE)) as any;
    const documented = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.keys(item as object)
        .filter(m => METHODS.includes(m))
        .map(m => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
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
    const served = (router as any).stack
      .filter((layer: any) => layer.route)
      .flatMap((layer: any) =>
        Object.keys(layer.route.methods).map(
          m => `${m.toUpperCase()} ${layer.route.path}`,
        ),
      );
    expect(served.sort()).toEqual(documented.sort());
  });
});
