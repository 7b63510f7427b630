import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleIntegratedServices from '.';
import { validDefinition } from './__fixtures__/definitions';

const headers = {
  Authorization: mockCredentials.user.header(),
  'Content-Type': 'application/json',
};

function documents(...entities: unknown[]): string {
  return entities.map(e => JSON.stringify(e)).join('\n---\n');
}

async function eventually<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await read();
    if (value !== undefined) return value;
    if (attempt > 150)
      throw new Error('the catalog never reached the expected state');
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

describe('catalogModuleIntegratedServices', () => {
  let dir: string;
  let file: string;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let baseUrl: string;

  const getEntity = async (name: string): Promise<Entity | undefined> => {
    const res = await fetch(
      `${baseUrl}/api/catalog/entities/by-name/integratedservice/default/${name}`,
      { headers },
    );
    return res.status === 200 ? res.json() : undefined;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'integrated-services-catalog-'));
    file = join(dir, 'services.yaml');
    const broken = {
      ...validDefinition(),
      metadata: { name: 'broken' },
    } as any;
    broken.spec.upgraders[0].to = '2.0.0';
    writeFileSync(file, documents(validDefinition(), broken));
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleIntegratedServices,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              rules: [{ allow: ['Location'] }],
              locations: [
                {
                  type: 'file',
                  target: file,
                  rules: [{ allow: ['IntegratedService'] }],
                },
              ],
            },
          },
        }),
      ],
    });
    baseUrl = `http://localhost:${backend.server.port()}`;
  });

  afterEach(async () => {
    await backend.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('admits a valid definition with its owner relation, and not a broken one beside it', async () => {
    const entity = await eventually(() => getEntity('cert-manager'));
    expect(entity.spec).toMatchObject({
      category: 'certificates',
      owner: 'group:default/platform',
    });
    expect(entity.relations).toContainEqual({
      type: 'ownedBy',
      targetRef: 'group:default/platform',
    });
    expect(await getEntity('broken')).toBeUndefined();
  });

  it('says where a definition is wrong when asked to validate it', async () => {
    const entity = validDefinition() as any;
    entity.spec.versions[1].specSchema = {
      type: 'object',
      properties: { replicas: { type: 'int' } },
    };
    const res = await fetch(`${baseUrl}/api/catalog/validate-entity`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        entity,
        location: 'url:https://example.com/services.yaml',
      }),
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(JSON.stringify(body.errors)).toContain(
      'IntegratedService cert-manager is invalid: /spec/versions/1/specSchema: is not a usable JSON Schema',
    );
  });

  it('reports a definition broken after it was admitted on the entity, keeping the last good one', async () => {
    await eventually(() => getEntity('cert-manager'));
    const edited = validDefinition() as any;
    edited.spec.downgraders[0].steps = [
      { type: 'runJob', job: { name: 'migrate' }, timeoutSeconds: 60 },
    ];
    writeFileSync(file, documents(edited));
    // Refreshing an entity re-reads the file it came from.
    await fetch(`${baseUrl}/api/catalog/refresh`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        entityRef: 'integratedservice:default/cert-manager',
      }),
    });
    const reported = await eventually(async () => {
      const entity = (await getEntity('cert-manager')) as any;
      return entity?.status?.items?.length ? entity : undefined;
    });
    expect(reported.status.items[0]).toMatchObject({
      type: 'backstage.io/catalog-processing',
      level: 'error',
    });
    expect(reported.status.items[0].message).toContain(
      'IntegratedService cert-manager is invalid: /spec/downgraders/0/steps/0/job/image: is required',
    );
    expect(reported.spec.downgraders[0].steps).toEqual([
      { type: 'chartUpgrade' },
    ]);
  });
});
