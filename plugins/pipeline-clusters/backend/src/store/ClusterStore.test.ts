import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { ClusterSpec } from '@pipeline-portal/plugin-pipeline-clusters-common';
import { ClusterStore } from './ClusterStore';

const spec: ClusterSpec = {
  name: 'dev',
  owner: 'group:default/payments',
  distribution: 'eks',
  region: 'eu-west-1',
  kubernetesVersion: '1.32',
  nodePools: [
    {
      name: 'pool1',
      machineType: 'm5.large',
      minSize: 1,
      maxSize: 3,
      desiredSize: 2,
      labels: {},
      taints: [],
    },
  ],
  credential: 'aws-prod',
};

describe('ClusterStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    'stores, reads and lists clusters on %s',
    async databaseId => {
      const store = await ClusterStore.create({
        database: await databases.init(databaseId),
      });
      for (const name of ['b-one', 'a-two', 'c-three']) {
        await store.insert({
          name,
          owner: name === 'c-three' ? 'group:default/storefront' : spec.owner,
          distribution: 'eks',
          spec: { ...spec, name },
          phase: 'Pending',
        });
      }
      const got = await store.get('a-two');
      expect(got).toMatchObject({
        name: 'a-two',
        phase: 'Pending',
        revision: 1,
        appliedRevision: 0,
        spec: { ...spec, name: 'a-two' },
      });

      const page1 = await store.list({}, { limit: 2 });
      expect(page1.items.map(c => c.name)).toEqual(['a-two', 'b-one']);
      expect(page1.totalCount).toBe(3);
      const page2 = await store.list(
        {},
        { limit: 2, cursor: page1.nextCursor },
      );
      expect(page2.items.map(c => c.name)).toEqual(['c-three']);
      expect(page2.nextCursor).toBeUndefined();

      const owned = await store.list(
        { owner: 'group:default/storefront' },
        { limit: 10 },
      );
      expect(owned.items.map(c => c.name)).toEqual(['c-three']);
      const search = await store.list({ search: 'TW' }, { limit: 10 });
      expect(search.items.map(c => c.name)).toEqual(['a-two']);
      const none = await store.list({ search: '%' }, { limit: 10 });
      expect(none.items).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses a stale revision and keeps a history of status changes on %s',
    async databaseId => {
      const store = await ClusterStore.create({
        database: await databases.init(databaseId),
      });
      await store.insert({
        name: 'dev',
        owner: spec.owner,
        distribution: 'eks',
        spec,
        phase: 'Pending',
      });

      const bumped = await store.update(
        'dev',
        1,
        { spec: { ...spec, kubernetesVersion: '1.33' } },
        { bumpRevision: true },
      );
      expect(bumped.revision).toBe(2);
      await expect(
        store.update('dev', 1, { phase: 'Provisioning' }),
      ).rejects.toThrow(ConflictError);

      await store.update('dev', 2, {
        phase: 'Provisioning',
        message: 'creating control plane',
      });
      await store.update('dev', 2, { observed: { nodeCount: 2 } });
      await store.update('dev', 2, { phase: 'Running', message: '' });

      const history = await store.history('dev');
      expect(history.map(h => [h.phase, h.message])).toEqual([
        ['Pending', undefined],
        ['Provisioning', 'creating control plane'],
        ['Running', undefined],
      ]);
      expect((await store.get('dev'))?.observed).toEqual({ nodeCount: 2 });
    },
  );

  it.each(databases.eachSupportedId())(
    'refuses a second live cluster of the same name but reuses a deleted one on %s',
    async databaseId => {
      const store = await ClusterStore.create({
        database: await databases.init(databaseId),
      });
      await store.insert({
        name: 'dev',
        owner: spec.owner,
        distribution: 'eks',
        spec,
        phase: 'Pending',
      });
      await expect(
        store.insert({
          name: 'dev',
          owner: spec.owner,
          distribution: 'eks',
          spec,
          phase: 'Pending',
        }),
      ).rejects.toThrow(ConflictError);

      await store.update('dev', 1, { phase: 'Deleted' });
      const again = await store.insert({
        name: 'dev',
        owner: 'group:default/storefront',
        distribution: 'import',
        phase: 'Running',
      });
      expect(again).toMatchObject({
        owner: 'group:default/storefront',
        revision: 1,
      });
      expect((await store.history('dev')).map(h => h.phase)).toEqual([
        'Running',
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'hands the reconciler only due, live, provisioned clusters on %s',
    async databaseId => {
      const store = await ClusterStore.create({
        database: await databases.init(databaseId),
      });
      await store.insert({
        name: 'due',
        owner: spec.owner,
        distribution: 'eks',
        spec,
        phase: 'Pending',
      });
      await store.insert({
        name: 'later',
        owner: spec.owner,
        distribution: 'eks',
        spec,
        phase: 'Provisioning',
      });
      await store.insert({
        name: 'gone',
        owner: spec.owner,
        distribution: 'eks',
        spec,
        phase: 'Pending',
      });
      await store.insert({
        name: 'mine',
        owner: spec.owner,
        distribution: 'import',
        phase: 'Running',
      });
      await store.update('later', 1, { reconcileAfter: 10_000 });
      await store.update('gone', 1, { phase: 'Deleted' });

      const due = await store.dueForReconcile(5_000, 10);
      expect(due.map(c => c.name)).toEqual(['due']);
      const all = await store.dueForReconcile(20_000, 10);
      expect(all.map(c => c.name).sort()).toEqual(['due', 'later']);
    },
  );

  it.each(databases.eachSupportedId())(
    'finds a live cluster using a credential among all of its owner on %s',
    async databaseId => {
      const store = await ClusterStore.create({
        database: await databases.init(databaseId),
      });
      // More clusters than any page, the user of the credential last.
      for (let i = 0; i < 505; i++) {
        const name = `c${String(i).padStart(4, '0')}`;
        await store.insert({
          name,
          owner: spec.owner,
          distribution: 'eks',
          spec: { ...spec, name, credential: i === 504 ? 'aws-dev' : 'other' },
          phase: 'Running',
        });
      }
      await store.insert({
        name: 'elsewhere',
        owner: 'group:default/storefront',
        distribution: 'eks',
        spec: { ...spec, name: 'elsewhere', credential: 'aws-stage' },
        phase: 'Running',
      });
      await store.insert({
        name: 'gone',
        owner: spec.owner,
        distribution: 'eks',
        spec: { ...spec, name: 'gone', credential: 'aws-old' },
        phase: 'Running',
      });
      await store.update('gone', 1, { phase: 'Deleted' });

      await expect(
        store.findUsingCredential(spec.owner, 'aws-dev'),
      ).resolves.toBe('c0504');
      await expect(
        store.findUsingCredential(spec.owner, 'aws-stage'),
      ).resolves.toBeUndefined();
      await expect(
        store.findUsingCredential(spec.owner, 'aws-old'),
      ).resolves.toBeUndefined();
    },
  );
});
