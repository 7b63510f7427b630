import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogProcessorResult } from '@backstage/plugin-catalog-node';
import { IntegratedServiceEntityProcessor } from './IntegratedServiceEntityProcessor';
import { validDefinition } from './__fixtures__/definitions';

const location = { type: 'file', target: '/catalog/services.yaml' };

describe('IntegratedServiceEntityProcessor', () => {
  const processor = new IntegratedServiceEntityProcessor();

  it('leaves other kinds to other processors', async () => {
    const component: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'web' },
      spec: {},
    };
    await expect(processor.validateEntityKind(component)).resolves.toBe(false);
    await expect(
      processor.validateEntityKind({
        ...validDefinition(),
        apiVersion: 'pipeline-portal.io/v2',
      } as Entity),
    ).resolves.toBe(false);
  });

  it('accepts a valid definition', async () => {
    await expect(
      processor.validateEntityKind(validDefinition() as Entity),
    ).resolves.toBe(true);
  });

  it('refuses a bad definition with the JSON pointer of each bad field', async () => {
    const entity = validDefinition() as any;
    entity.spec.versions[0].chart.repository = 'ftp://charts.example.com';
    delete entity.spec.owner;
    const error = await processor.validateEntityKind(entity).catch(e => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      'IntegratedService cert-manager is invalid: /spec/owner: is required; ' +
        '/spec/versions/0/chart/repository: must match pattern "^(https?|oci)://[^\\s]+$"',
    );
  });

  it('refuses a definition whose spec is not even an object, without throwing anything else', async () => {
    const entity = {
      ...validDefinition(),
      spec: 'monitoring',
    } as unknown as Entity;
    await expect(processor.validateEntityKind(entity)).rejects.toThrow(
      'IntegratedService cert-manager is invalid: /spec: must be object',
    );
  });

  it('relates a definition to its owner group both ways', async () => {
    const emitted: CatalogProcessorResult[] = [];
    await processor.postProcessEntity(
      validDefinition() as Entity,
      location,
      r => emitted.push(r),
    );
    const self = {
      kind: 'IntegratedService',
      namespace: 'default',
      name: 'cert-manager',
    };
    const owner = { kind: 'group', namespace: 'default', name: 'platform' };
    expect(emitted).toEqual([
      {
        type: 'relation',
        relation: { source: self, type: 'ownedBy', target: owner },
      },
      {
        type: 'relation',
        relation: { source: owner, type: 'ownerOf', target: self },
      },
    ]);
  });
});
