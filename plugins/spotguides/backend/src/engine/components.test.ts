import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { ComponentDirectory } from './components';

const component = (name: string, slug: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    annotations: {
      'github.com/project-slug': slug,
      'pipeline-portal.io/runtime-cluster': 'runtime',
      'pipeline-portal.io/namespace': 'storefront',
    },
  },
  spec: {},
});

describe('ComponentDirectory', () => {
  it('reuses a found component within its time, shares concurrent lookups, and asks again for a missing one', async () => {
    let entities: Entity[] = [];
    const asked: string[] = [];
    const catalog = {
      getEntities: jest.fn(async (request: any) => {
        const slug =
          request.filter['metadata.annotations.github.com/project-slug'];
        asked.push(slug);
        return {
          items: entities.filter(
            e => e.metadata.annotations?.['github.com/project-slug'] === slug,
          ),
        };
      }),
    } as unknown as CatalogService;
    let now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const directory = new ComponentDirectory({
        catalog,
        auth: mockServices.auth(),
        ttlMs: 15_000,
      });
      // No component yet: each lookup asks.
      expect(await directory.find('org/shop')).toBeUndefined();
      expect(await directory.find('org/shop')).toBeUndefined();
      expect(asked).toEqual(['org/shop', 'org/shop']);

      entities = [component('shop', 'org/shop')];
      const [a, b] = await Promise.all([
        directory.find('org/shop'),
        directory.find('ORG/Shop'),
      ]);
      expect(a).toMatchObject({
        entityRef: 'component:default/shop',
        cluster: 'runtime',
        namespace: 'storefront',
      });
      expect(b).toBe(a);
      expect(asked).toHaveLength(3);

      now += 14_000;
      await directory.find('org/shop');
      expect(asked).toHaveLength(3);
      // Past its time the catalog is asked again and a change is seen.
      entities = [
        {
          ...component('shop', 'org/shop'),
          metadata: {
            name: 'shop',
            annotations: {
              'github.com/project-slug': 'org/shop',
              'pipeline-portal.io/runtime-cluster': 'other',
            },
          },
        },
      ];
      now += 2_000;
      expect((await directory.find('org/shop'))?.cluster).toBe('other');
      expect(asked).toHaveLength(4);
    } finally {
      jest.restoreAllMocks();
    }
  });
});
