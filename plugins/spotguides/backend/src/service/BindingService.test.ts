import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { BindingStore } from '../store';
import { NamespaceGuard } from '../trust/NamespaceGuard';
import { AccessScope } from './AccessScope';
import { BindingService } from './BindingService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const integrations = ScmIntegrations.fromConfig(new ConfigReader({}));

const BOB = 'user:default/bob'; // payments
const CAROL = 'user:default/carol'; // marketing
const ALICE = 'user:default/alice'; // admin
const GROUPS: Record<string, string[]> = {
  [BOB]: [BOB, 'group:default/payments'],
  [CAROL]: [CAROL, 'group:default/marketing'],
  [ALICE]: [ALICE, 'group:default/platform'],
};

const component = (
  name: string,
  owner: string,
  options: { slug?: string; from?: string } = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'github.com/project-slug': options.slug ?? 'payments/orders',
      'backstage.io/managed-by-location': `url:https://github.com/${
        options.from ?? 'payments/orders'
      }/blob/main/catalog-info.yaml`,
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner },
});

const userInfo: UserInfoService = {
  async getUserInfo(credentials: BackstageCredentials) {
    const ref = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    return { userEntityRef: ref, ownershipEntityRefs: GROUPS[ref] ?? [ref] };
  },
};

/**
 * The portal's policy for the bind permission: admins anything, members the
 * components their groups own (as the catalog's owner rule decides).
 */
function permissionsOver(entities: Entity[]): PermissionsService {
  return {
    async authorize(requests, { credentials }) {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return requests.map(r => {
        const target = (r as { resourceRef?: string }).resourceRef;
        const entity = entities.find(
          e => `component:default/${e.metadata.name}` === target,
        );
        const allowed =
          GROUPS[ref]?.includes('group:default/platform') ||
          (!!entity && GROUPS[ref]?.includes(String(entity.spec?.owner)));
        return {
          result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        };
      });
    },
    async authorizeConditional() {
      throw new Error('not used');
    },
  } as PermissionsService;
}

describe.each(databases.eachSupportedId())('BindingService on %s', id => {
  let store: BindingStore;
  const refusals = jest.fn(async (): Promise<string | undefined> => undefined);

  const service = (entities: Entity[]) => {
    const catalog = catalogServiceMock({ entities });
    const auth = mockServices.auth();
    const permissions = permissionsOver(entities);
    return new BindingService({
      bindings: store,
      catalog,
      auth,
      userInfo,
      integrations,
      scope: new AccessScope({ catalog, auth, permissions, integrations }),
      namespaces: { refusal: refusals } as unknown as NamespaceGuard,
    });
  };

  beforeAll(async () => {
    store = await BindingStore.create({ database: await databases.init(id) });
  });
  beforeEach(async () => {
    await store.delete('payments/orders');
    refusals.mockClear();
  });

  const as = (ref: string) => mockCredentials.user(ref);

  it('binds a not yet registered component for an owner the caller belongs to, after checking the target', async () => {
    const binding = await service([]).bind(
      {
        repository: 'Payments/Orders',
        entityRef: 'orders',
        owner: 'payments',
        target: { cluster: 'prod', namespace: 'payments' },
      },
      as(BOB),
    );
    expect(binding).toMatchObject({
      repository: 'payments/orders',
      entityRef: 'component:default/orders',
      owner: 'group:default/payments',
      boundBy: BOB,
    });
    expect(refusals).toHaveBeenCalledWith(
      'prod',
      'payments',
      'group:default/payments',
    );
  });

  it('refuses an owner the caller does not belong to, and a target that is not its team namespace, binding nothing', async () => {
    await expect(
      service([]).bind(
        {
          repository: 'payments/orders',
          entityRef: 'orders',
          owner: 'payments',
        },
        as(CAROL),
      ),
    ).rejects.toThrow('only members of group:default/payments may bind');
    refusals.mockResolvedValueOnce(
      'namespace kube-system on cluster prod is not a team namespace the portal created',
    );
    await expect(
      service([]).bind(
        {
          repository: 'payments/orders',
          entityRef: 'orders',
          owner: 'payments',
          target: { cluster: 'prod', namespace: 'kube-system' },
        },
        as(BOB),
      ),
    ).rejects.toThrow(
      'target: namespace kube-system on cluster prod is not a team namespace',
    );
    expect(await store.get('payments/orders')).toBeUndefined();
  });

  it('binds a registered component only for its owners, only if the repository declares it', async () => {
    const orders = component('orders', 'group:default/payments');
    const decoy = component('decoy', 'group:default/marketing', {
      from: 'marketing/decoy',
    });
    const other = component('other', 'group:default/payments', {
      slug: 'payments/other',
    });
    const svc = service([orders, decoy, other]);
    await expect(
      svc.bind(
        { repository: 'payments/orders', entityRef: 'orders' },
        as(CAROL),
      ),
    ).rejects.toThrow('only the owners of component:default/orders');
    await expect(
      svc.bind(
        { repository: 'payments/orders', entityRef: 'decoy' },
        as(CAROL),
      ),
    ).rejects.toThrow('not from a file in payments/orders');
    await expect(
      svc.bind({ repository: 'payments/orders', entityRef: 'other' }, as(BOB)),
    ).rejects.toThrow('does not claim payments/orders');
    await expect(
      svc.bind(
        {
          repository: 'payments/orders',
          entityRef: 'orders',
          owner: 'marketing',
        },
        as(BOB),
      ),
    ).rejects.toThrow(
      'owner: component:default/orders is owned by group:default/payments',
    );
    expect(await store.get('payments/orders')).toBeUndefined();
    await expect(
      svc.bind(
        { repository: 'payments/orders', entityRef: 'orders' },
        as(ALICE),
      ),
    ).resolves.toMatchObject({
      owner: 'group:default/payments',
      boundBy: ALICE,
    });
  });

  it("never takes a repository from another owner's live binding; its members, an admin, or anyone once it is dead may", async () => {
    const orders = component('orders', 'group:default/payments');
    const takeover = component('takeover', 'group:default/marketing');
    await service([orders, takeover]).bind(
      { repository: 'payments/orders', entityRef: 'orders' },
      as(BOB),
    );
    await expect(
      service([orders, takeover]).bind(
        { repository: 'payments/orders', entityRef: 'takeover' },
        as(CAROL),
      ),
    ).rejects.toThrow(
      'payments/orders is bound to component:default/orders for group:default/payments',
    );
    await expect(
      service([orders, takeover]).unbind('payments/orders', as(CAROL)),
    ).rejects.toThrow('only its members or an admin may unbind it');
    expect(await store.get('payments/orders')).toMatchObject({
      entityRef: 'component:default/orders',
    });
    // The bound component left the catalog: the binding is dead.
    await expect(
      service([takeover]).bind(
        { repository: 'payments/orders', entityRef: 'takeover' },
        as(CAROL),
      ),
    ).resolves.toMatchObject({ owner: 'group:default/marketing' });
    await service([orders, takeover]).unbind('payments/orders', as(ALICE));
    expect(await store.get('payments/orders')).toBeUndefined();
  });

  it('shows a binding only to a caller who may read a component claiming the repository', async () => {
    const orders = component('orders', 'group:default/payments');
    await service([orders]).bind(
      { repository: 'payments/orders', entityRef: 'orders' },
      as(BOB),
    );
    await expect(
      service([orders]).get('payments/orders', as(CAROL)),
    ).resolves.toMatchObject({ entityRef: 'component:default/orders' });
    await expect(service([]).get('payments/orders', as(CAROL))).rejects.toThrow(
      'payments/orders is not bound to a component',
    );
  });
});
