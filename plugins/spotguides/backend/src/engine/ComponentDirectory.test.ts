import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ComponentDirectory,
  originOf,
  registeredFrom,
  toTarget,
} from './ComponentDirectory';

const integrations = ScmIntegrations.fromConfig(
  new ConfigReader({
    integrations: {
      github: [
        {
          host: 'ghe.example.com',
          apiBaseUrl: 'https://ghe.example.com/api/v3',
        },
      ],
    },
  }),
);

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
        integrations,
        ttlMs: 15_000,
      });
      // No component yet: each lookup asks.
      expect(await directory.claimants('org/shop')).toEqual([]);
      expect(await directory.claimants('org/shop')).toEqual([]);
      expect(asked).toEqual(['org/shop', 'org/shop']);

      entities = [component('shop', 'org/shop')];
      const [[a], [b]] = await Promise.all([
        directory.claimants('org/shop'),
        directory.claimants('ORG/Shop'),
      ]);
      expect(a).toMatchObject({
        entityRef: 'component:default/shop',
        cluster: 'runtime',
        namespace: 'storefront',
      });
      expect(b).toBe(a);
      expect(asked).toHaveLength(3);

      now += 14_000;
      await directory.claimants('org/shop');
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
      expect((await directory.claimants('org/shop'))[0]?.cluster).toBe('other');
      expect(asked).toHaveLength(4);
    } finally {
      jest.restoreAllMocks();
    }
  });
});

describe('where a component was registered from', () => {
  const located = (location?: string): Entity => ({
    ...component('shop', 'org/shop'),
    metadata: {
      name: 'shop',
      annotations: {
        'github.com/project-slug': 'org/shop',
        ...(location && { 'backstage.io/managed-by-location': location }),
      },
    },
    spec: { owner: 'team-a' },
  });

  it.each([
    ['url:https://github.com/Org/Shop/blob/main/catalog-info.yaml', true],
    ['url:https://github.com/org/shop.git/tree/main/catalog-info.yaml', true],
    ['url:https://ghe.example.com/org/shop/blob/main/catalog-info.yaml', true],
    ['url:https://github.com/org/shop-fork/blob/main/catalog-info.yaml', false],
    ['url:https://github.com/attacker/shop/blob/main/catalog-info.yaml', false],
    ['url:https://gitlab.com/org/shop/-/blob/main/catalog-info.yaml', false],
    ['url:https://github.com.evil.test/org/shop/blob/main/c.yaml', false],
    ['file:/catalog/org/shop/catalog-info.yaml', false],
    ['url:not a url', false],
    [undefined, false],
  ])('%s claims org/shop credibly: %s', (location, credible) => {
    const target = toTarget(located(location), integrations);
    expect(registeredFrom(target, 'org/shop')).toBe(credible);
  });

  it('reads the owner as a full group ref and compares hosts when a delivery names one', () => {
    const target = toTarget(
      located('url:https://ghe.example.com/org/shop/blob/main/c.yaml'),
      integrations,
    );
    expect(target.owner).toBe('group:default/team-a');
    expect(registeredFrom(target, 'org/shop', 'ghe.example.com')).toBe(true);
    expect(registeredFrom(target, 'org/shop', 'github.com')).toBe(false);
    expect(
      originOf('url:https://ghe.example.com/org', integrations),
    ).toBeUndefined();
  });
});
