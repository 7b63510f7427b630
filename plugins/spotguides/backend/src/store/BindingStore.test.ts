import { TestDatabases } from '@backstage/backend-test-utils';
import { BindingStore } from './BindingStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const binding = (entityRef: string) => ({
  repository: 'Acme/Shop',
  entityRef,
  owner: 'group:default/storefront',
  boundBy: 'user:default/guest',
});

describe.each(databases.eachSupportedId())('BindingStore on %s', id => {
  it('serves the engine a binding at most its age old, and its own changes at once', async () => {
    const knex = await databases.init(id);
    const here = await BindingStore.create({ database: knex });
    const elsewhere = await BindingStore.create({ database: knex });
    const t0 = Date.now();
    expect(await here.getCached('acme/shop', 15_000, t0)).toBeUndefined();

    // Bound through this replica: seen at once.
    await here.put(binding('component:default/shop'));
    expect(await here.getCached('ACME/shop', 15_000, t0 + 1)).toMatchObject({
      entityRef: 'component:default/shop',
    });

    // Rebound through another replica: seen here once the age has passed.
    await elsewhere.put(binding('component:default/other'));
    expect(await here.getCached('acme/shop', 15_000, t0 + 2)).toMatchObject({
      entityRef: 'component:default/shop',
    });
    expect(
      await here.getCached('acme/shop', 15_000, t0 + 15_002),
    ).toMatchObject({ entityRef: 'component:default/other' });

    // Unbound here: gone at once.
    expect(await here.delete('acme/shop')).toBe(true);
    expect(await here.getCached('acme/shop', 15_000, t0 + 15_003)).toBe(
      undefined,
    );
  });
});
