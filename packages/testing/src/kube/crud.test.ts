import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { V1ConfigMap } from '@kubernetes/client-node';
import {
  Clients,
  failure,
  kubeConfigFor,
  raw,
  startWithClients,
} from './__testUtils__/clients';
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { startKubeApi } from '../index';

describe('kube double: core CRUD over HTTPS', () => {
  let c: Clients;
  beforeAll(async () => {
    c = await startWithClients({ namespaces: ['team-a'] });
  });
  afterAll(() => c.api.close());

  const cm = (
    name: string,
    data: Record<string, string> = { a: '1' },
  ): V1ConfigMap => ({
    metadata: { name, labels: { app: 'demo' } },
    data,
  });

  it('serves over TLS verified with caData and rejects a wrong token with 401 Status', async () => {
    const ns = await c.core.readNamespace({ name: 'default' });
    expect(ns.status?.phase).toBe('Active');
    const bad = kubeConfigFor(c.api, 'wrong').makeApiClient(CoreV1Api);
    const err = await failure(bad.listNamespace());
    expect(err.code).toBe(401);
    // client-node drops 401 bodies: check the wire format directly.
    const missing = await raw(c.api, 'GET', '/api/v1/namespaces', {
      token: null,
    });
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('authenticates a client certificate signed by the cluster CA, and only that one', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(c.api.clientCertificateKubeConfigYaml('ops-admin'));
    expect(kc.getCurrentUser()?.token).toBeUndefined();
    const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map(n => n.metadata?.name)).toContain('default');
    expect(c.api.requests.list().at(-1)).toMatchObject({
      path: '/api/v1/namespaces',
      status: 200,
      user: 'x509:ops-admin',
    });

    // A certificate from another CA authenticates nobody.
    const other = await startKubeApi();
    try {
      const foreign = other.issueClientCertificate('intruder');
      const stranger = new KubeConfig();
      stranger.loadFromString(
        c.api
          .clientCertificateKubeConfigYaml('intruder')
          .replace(
            /client-certificate-data: .*/,
            `client-certificate-data: ${Buffer.from(foreign.cert).toString(
              'base64',
            )}`,
          )
          .replace(
            /client-key-data: .*/,
            `client-key-data: ${Buffer.from(foreign.key).toString('base64')}`,
          ),
      );
      const err = await failure(
        stranger.makeApiClient(CoreV1Api).listNamespace(),
      );
      expect(err.code).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('issues certificates whose serials are DER-minimal, as OpenSSL requires', () => {
    for (let i = 0; i < 16; i++) {
      const { cert } = c.api.issueClientCertificate(`user-${i}`);
      const x509 = new X509Certificate(cert);
      // No redundant leading zero, never negative.
      expect(x509.serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
      expect(x509.checkIssued(new X509Certificate(c.api.caCert))).toBe(true);
    }
  });

  it('serves a certificate for localhost and 127.0.0.1 signed by the generated CA', async () => {
    const san = await new Promise<string>((resolve, reject) => {
      const socket = connect(
        {
          host: '127.0.0.1',
          port: c.api.port,
          ca: c.api.caCert,
          servername: 'localhost',
        },
        () => {
          const { subjectaltname } = socket.getPeerCertificate();
          const ok = socket.authorized;
          socket.end();
          if (ok) resolve(subjectaltname ?? '');
          else reject(socket.authorizationError);
        },
      );
      socket.on('error', reject);
    });
    expect(san).toContain('DNS:localhost');
    expect(san).toContain('IP Address:127.0.0.1');
  });

  it('creates, reads, replaces and deletes a ConfigMap with metadata maintained', async () => {
    const created = await c.core.createNamespacedConfigMap({
      namespace: 'team-a',
      body: cm('one'),
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const rv1 = Number(created.metadata?.resourceVersion);
    expect(rv1).toBeGreaterThan(0);

    const read = await c.core.readNamespacedConfigMap({
      name: 'one',
      namespace: 'team-a',
    });
    expect(read.data).toEqual({ a: '1' });

    read.data = { a: '2' };
    const replaced = await c.core.replaceNamespacedConfigMap({
      name: 'one',
      namespace: 'team-a',
      body: read,
    });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(rv1);
    expect(replaced.metadata?.uid).toBe(created.metadata?.uid);

    const status = await c.core.deleteNamespacedConfigMap({
      name: 'one',
      namespace: 'team-a',
    });
    expect(status.status).toBe('Success');
    const gone = await failure(
      c.core.readNamespacedConfigMap({ name: 'one', namespace: 'team-a' }),
    );
    expect(gone.code).toBe(404);
    expect(gone.status).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      message: 'configmaps "one" not found',
      details: { name: 'one', kind: 'configmaps' },
      code: 404,
    });
  });

  it('answers 409 AlreadyExists and 409 Conflict for a stale resourceVersion', async () => {
    const first = await c.core.createNamespacedConfigMap({
      namespace: 'team-a',
      body: cm('dup'),
    });
    const dup = await failure(
      c.core.createNamespacedConfigMap({
        namespace: 'team-a',
        body: cm('dup'),
      }),
    );
    expect(dup.code).toBe(409);
    expect(dup.status).toMatchObject({
      reason: 'AlreadyExists',
      message: 'configmaps "dup" already exists',
      details: { name: 'dup', kind: 'configmaps' },
    });

    await c.core.replaceNamespacedConfigMap({
      name: 'dup',
      namespace: 'team-a',
      body: { ...first, data: { a: 'x' } },
    });
    const stale = await failure(
      c.core.replaceNamespacedConfigMap({
        name: 'dup',
        namespace: 'team-a',
        body: { ...first, data: { a: 'y' } },
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe('Conflict');
    expect(stale.status.message).toBe(
      'Operation cannot be fulfilled on configmaps "dup": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('rejects invalid names with 422 and the field path, and unknown namespaces with 404', async () => {
    const bad = await failure(
      c.core.createNamespacedConfigMap({
        namespace: 'team-a',
        body: cm('Bad_Name'),
      }),
    );
    expect(bad.code).toBe(422);
    expect(bad.status.reason).toBe('Invalid');
    expect(bad.status.message).toMatch(
      /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    expect(bad.status.details.causes[0]).toMatchObject({
      field: 'metadata.name',
      reason: 'FieldValueInvalid',
    });

    const nsMissing = await failure(
      c.core.createNamespacedConfigMap({ namespace: 'nope', body: cm('x') }),
    );
    expect(nsMissing.code).toBe(404);
    expect(nsMissing.status).toMatchObject({
      message: 'namespaces "nope" not found',
      details: { name: 'nope', kind: 'namespaces' },
    });
  });

  it('supports generateName', async () => {
    const made = await c.core.createNamespacedSecret({
      namespace: 'team-a',
      body: { metadata: { generateName: 'token-' }, stringData: { k: 'v' } },
    });
    expect(made.metadata?.name).toMatch(/^token-[a-z0-9]{5}$/);
  });
});

describe('kube double: lists, selectors, pagination and patches', () => {
  let c: Clients;
  beforeAll(async () => {
    c = await startWithClients({ namespaces: ['a', 'b'] });
    const mk = (ns: string, name: string, labels: Record<string, string>) =>
      c.api.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: ns, labels },
        data: { k: name },
      });
    mk('a', 'web-1', { app: 'web', tier: 'front' });
    mk('a', 'web-2', { app: 'web', tier: 'back' });
    mk('a', 'db-1', { app: 'db' });
    mk('b', 'web-3', { app: 'web', tier: 'front', canary: 'true' });
    mk('b', 'misc', {});
  });
  afterAll(() => c.api.close());

  const names = (l: { items: { metadata?: { name?: string } }[] }) =>
    l.items.map(i => i.metadata?.name);

  it('filters by label selector operators', async () => {
    const sel = async (labelSelector: string) =>
      names(await c.core.listConfigMapForAllNamespaces({ labelSelector }));
    expect(await sel('app=web')).toEqual(['web-1', 'web-2', 'web-3']);
    expect(await sel('app==web,tier!=back')).toEqual(['web-1', 'web-3']);
    expect(await sel('app in (db, web),tier notin (front)')).toEqual([
      'db-1',
      'web-2',
    ]);
    expect(await sel('canary')).toEqual(['web-3']);
    expect(await sel('!app')).toEqual(['misc']);
    const err = await failure(
      c.core.listConfigMapForAllNamespaces({ labelSelector: 'app in (x' }),
    );
    expect(err.code).toBe(400);
  });

  it('filters by field selector on metadata.name / metadata.namespace and rejects others', async () => {
    const byName = await c.core.listConfigMapForAllNamespaces({
      fieldSelector: 'metadata.name=web-2',
    });
    expect(names(byName)).toEqual(['web-2']);
    const notA = await c.core.listConfigMapForAllNamespaces({
      fieldSelector: 'metadata.namespace!=a',
    });
    expect(names(notA)).toEqual(['misc', 'web-3']);
    const err = await failure(
      c.core.listNamespacedConfigMap({
        namespace: 'a',
        fieldSelector: 'data.k=x',
      }),
    );
    expect(err.code).toBe(400);
    expect(err.status.message).toBe('field label not supported: data.k');
  });

  it('paginates with limit and continue, with a list resourceVersion', async () => {
    const p1 = await c.core.listNamespacedConfigMap({
      namespace: 'a',
      limit: 2,
    });
    expect(names(p1)).toEqual(['db-1', 'web-1']);
    expect(p1.metadata?.remainingItemCount).toBe(1);
    expect(Number(p1.metadata?.resourceVersion)).toBeGreaterThan(0);
    const p2 = await c.core.listNamespacedConfigMap({
      namespace: 'a',
      limit: 2,
      _continue: p1.metadata?._continue,
    });
    expect(names(p2)).toEqual(['web-2']);
    expect(p2.metadata?._continue).toBeUndefined();
    expect(p2.metadata?.resourceVersion).toBe(p1.metadata?.resourceVersion);
  });

  it('answers 410 Expired for a continue token older than the history window', async () => {
    const p1 = await c.core.listNamespacedConfigMap({
      namespace: 'a',
      limit: 1,
    });
    c.api.expireWatchHistory();
    const err = await failure(
      c.core.listNamespacedConfigMap({
        namespace: 'a',
        limit: 1,
        _continue: p1.metadata?._continue,
      }),
    );
    expect(err.code).toBe(410);
    expect(err.status.reason).toBe('Expired');
  });

  it('applies JSON merge patches, strategic merge patches (as merge) and JSON patches', async () => {
    const merge = await c.core.patchNamespacedConfigMap(
      {
        name: 'web-1',
        namespace: 'a',
        body: {
          data: { extra: 'x', k: null },
          metadata: { labels: { tier: null } },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merge.data).toEqual({ extra: 'x' });
    expect(merge.metadata?.labels).toEqual({ app: 'web' });

    const strategic = await c.core.patchNamespacedConfigMap(
      { name: 'web-1', namespace: 'a', body: { data: { more: 'y' } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(strategic.data).toEqual({ extra: 'x', more: 'y' });

    const json = await c.core.patchNamespacedConfigMap({
      name: 'web-1',
      namespace: 'a',
      body: [
        { op: 'test', path: '/data/extra', value: 'x' },
        { op: 'replace', path: '/data/extra', value: 'z' },
        { op: 'add', path: '/metadata/labels/new', value: 'v' },
        { op: 'remove', path: '/data/more' },
      ],
    });
    expect(json.data).toEqual({ extra: 'z' });
    expect(json.metadata?.labels).toEqual({ app: 'web', new: 'v' });

    const failed = await failure(
      c.core.patchNamespacedConfigMap({
        name: 'web-1',
        namespace: 'a',
        body: [{ op: 'test', path: '/data/extra', value: 'nope' }],
      }),
    );
    expect(failed.code).toBe(422);

    const stale = await failure(
      c.core.patchNamespacedConfigMap(
        {
          name: 'web-1',
          namespace: 'a',
          body: { metadata: { resourceVersion: '1' }, data: { a: 'b' } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe('Conflict');
  });

  it('does not bump resourceVersion for a no-op update', async () => {
    const before = await c.core.readNamespacedConfigMap({
      name: 'db-1',
      namespace: 'a',
    });
    const after = await c.core.replaceNamespacedConfigMap({
      name: 'db-1',
      namespace: 'a',
      body: before,
    });
    expect(after.metadata?.resourceVersion).toBe(
      before.metadata?.resourceVersion,
    );
  });

  it('serves cluster-scoped kinds, apps/v1 and rbac with generation on Deployments', async () => {
    const role = await c.rbac.createClusterRole({
      body: {
        metadata: { name: 'system:reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
      },
    });
    expect(role.metadata?.namespace).toBeUndefined();
    expect(
      (await c.rbac.listClusterRole()).items.map(r => r.metadata?.name),
    ).toContain('system:reader');
    await c.rbac.createNamespacedRoleBinding({
      namespace: 'a',
      body: {
        metadata: { name: 'rb' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'system:reader',
        },
        subjects: [{ kind: 'User', name: 'u' }],
      },
    });
    const dep = await c.apps.createNamespacedDeployment({
      namespace: 'a',
      body: {
        metadata: { name: 'api' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'api' } },
          template: {
            metadata: { labels: { app: 'api' } },
            spec: { containers: [{ name: 'c', image: 'nginx' }] },
          },
        },
      },
    });
    expect(dep.metadata?.generation).toBe(1);
    const scaled = await c.apps.patchNamespacedDeployment(
      { name: 'api', namespace: 'a', body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(scaled.metadata?.generation).toBe(2);
    const st = await c.apps.patchNamespacedDeploymentStatus(
      { name: 'api', namespace: 'a', body: { status: { readyReplicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(st.status?.readyReplicas).toBe(3);
    expect(st.metadata?.generation).toBe(2);
  });

  it('deletes a collection by label selector', async () => {
    await c.core.deleteCollectionNamespacedConfigMap({
      namespace: 'b',
      labelSelector: 'app=web',
    });
    expect(
      names(await c.core.listNamespacedConfigMap({ namespace: 'b' })),
    ).toEqual(['misc']);
  });
});
