import {
  Clients,
  failure,
  raw,
  startWithClients,
} from './__testUtils__/clients';

describe('kube double: finalizers, garbage collection, namespace deletion', () => {
  let c: Clients;
  beforeAll(async () => {
    c = await startWithClients({ namespaces: ['gc'] });
  });
  afterAll(() => c.api.close());

  it('keeps an object with finalizers until they are removed', async () => {
    await c.core.createNamespacedConfigMap({
      namespace: 'gc',
      body: { metadata: { name: 'held', finalizers: ['example.com/cleanup'] } },
    });
    // The typed client decodes the answer as V1Status: read the raw body.
    const deleting = await raw(
      c.api,
      'DELETE',
      '/api/v1/namespaces/gc/configmaps/held',
    );
    expect(deleting.status).toBe(200);
    expect(deleting.json.metadata.deletionTimestamp).toBeDefined();
    const still = await c.core.readNamespacedConfigMap({
      name: 'held',
      namespace: 'gc',
    });
    expect(still.metadata?.deletionTimestamp).toBeInstanceOf(Date);

    const added = await failure(
      c.core.replaceNamespacedConfigMap({
        name: 'held',
        namespace: 'gc',
        body: {
          ...still,
          metadata: {
            ...still.metadata,
            finalizers: ['example.com/cleanup', 'x.io/new'],
          },
        },
      }),
    );
    expect(added.code).toBe(422);

    await c.core.replaceNamespacedConfigMap({
      name: 'held',
      namespace: 'gc',
      body: { ...still, metadata: { ...still.metadata, finalizers: [] } },
    });
    expect(
      (
        await failure(
          c.core.readNamespacedConfigMap({ name: 'held', namespace: 'gc' }),
        )
      ).code,
    ).toBe(404);
  });

  it('cascades deletion to dependents through ownerReferences (background)', async () => {
    const owner = await c.core.createNamespacedConfigMap({
      namespace: 'gc',
      body: { metadata: { name: 'owner' } },
    });
    const ref = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'owner',
      uid: owner.metadata!.uid!,
    };
    await c.core.createNamespacedSecret({
      namespace: 'gc',
      body: { metadata: { name: 'child', ownerReferences: [ref] } },
    });
    await c.core.createNamespacedConfigMap({
      namespace: 'gc',
      body: {
        metadata: {
          name: 'grandchild',
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'Secret',
              name: 'child',
              uid: (
                await c.core.readNamespacedSecret({
                  name: 'child',
                  namespace: 'gc',
                })
              ).metadata!.uid!,
            },
          ],
        },
      },
    });
    const other = await c.core.createNamespacedConfigMap({
      namespace: 'gc',
      body: { metadata: { name: 'other-owner' } },
    });
    await c.core.createNamespacedConfigMap({
      namespace: 'gc',
      body: {
        metadata: {
          name: 'shared-child',
          ownerReferences: [
            ref,
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: 'other-owner',
              uid: other.metadata!.uid!,
            },
          ],
        },
      },
    });

    await c.core.deleteNamespacedConfigMap({ name: 'owner', namespace: 'gc' });
    expect(
      (
        await failure(
          c.core.readNamespacedSecret({ name: 'child', namespace: 'gc' }),
        )
      ).code,
    ).toBe(404);
    expect(
      (
        await failure(
          c.core.readNamespacedConfigMap({
            name: 'grandchild',
            namespace: 'gc',
          }),
        )
      ).code,
    ).toBe(404);
    const shared = await c.core.readNamespacedConfigMap({
      name: 'shared-child',
      namespace: 'gc',
    });
    expect(shared.metadata?.ownerReferences?.map(r => r.name)).toEqual([
      'other-owner',
    ]);
  });

  it('orphans dependents with propagationPolicy Orphan (body or query)', async () => {
    const owner = await c.core.createNamespacedConfigMap({
      namespace: 'gc',
      body: { metadata: { name: 'owner2' } },
    });
    await c.core.createNamespacedSecret({
      namespace: 'gc',
      body: {
        metadata: {
          name: 'orphan',
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: 'owner2',
              uid: owner.metadata!.uid!,
            },
          ],
        },
      },
    });
    await c.core.deleteNamespacedConfigMap({
      name: 'owner2',
      namespace: 'gc',
      body: { propagationPolicy: 'Orphan' },
    });
    const orphan = await c.core.readNamespacedSecret({
      name: 'orphan',
      namespace: 'gc',
    });
    expect(orphan.metadata?.ownerReferences).toBeUndefined();

    const owner3 = await c.core.createNamespacedConfigMap({
      namespace: 'gc',
      body: { metadata: { name: 'owner3' } },
    });
    await c.core.createNamespacedSecret({
      namespace: 'gc',
      body: {
        metadata: {
          name: 'orphan3',
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: 'owner3',
              uid: owner3.metadata!.uid!,
            },
          ],
        },
      },
    });
    await c.core.deleteNamespacedConfigMap({
      name: 'owner3',
      namespace: 'gc',
      propagationPolicy: 'Orphan',
    });
    expect(
      (await c.core.readNamespacedSecret({ name: 'orphan3', namespace: 'gc' }))
        .metadata?.name,
    ).toBe('orphan3');
  });

  it('checks delete preconditions', async () => {
    await c.core.createNamespacedConfigMap({
      namespace: 'gc',
      body: { metadata: { name: 'pre' } },
    });
    const err = await failure(
      c.core.deleteNamespacedConfigMap({
        name: 'pre',
        namespace: 'gc',
        body: { preconditions: { uid: 'not-it' } },
      }),
    );
    expect(err.code).toBe(409);
    expect(err.status.message).toContain(
      'Precondition failed: UID in precondition: not-it',
    );
  });

  it('deleting a namespace deletes its objects; it stays Terminating while finalizers remain', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await c.core.createNamespacedConfigMap({
      namespace: 'doomed',
      body: { metadata: { name: 'plain' } },
    });
    await c.core.createNamespacedConfigMap({
      namespace: 'doomed',
      body: { metadata: { name: 'held', finalizers: ['x.io/f'] } },
    });
    const ns = await raw(c.api, 'DELETE', '/api/v1/namespaces/doomed');
    expect(ns.json.status.phase).toBe('Terminating');
    expect(
      (
        await failure(
          c.core.readNamespacedConfigMap({
            name: 'plain',
            namespace: 'doomed',
          }),
        )
      ).code,
    ).toBe(404);

    const refused = await failure(
      c.core.createNamespacedConfigMap({
        namespace: 'doomed',
        body: { metadata: { name: 'late' } },
      }),
    );
    expect(refused.code).toBe(403);
    expect(refused.status.message).toBe(
      'unable to create new content in namespace doomed because it is being terminated',
    );

    c.api.removeFinalizers({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'held',
      namespace: 'doomed',
    });
    expect((await failure(c.core.readNamespace({ name: 'doomed' }))).code).toBe(
      404,
    );
  });
});
