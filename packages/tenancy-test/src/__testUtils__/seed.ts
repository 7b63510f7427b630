/*
 * What every row touches, all of it the payments team's: the component
 * `orders` registered from its repository `payments/orders`, the imported
 * cluster `dev` with the team namespace `payments`, a provisioned cluster
 * `orders-prod` (recorded, never provisioned), a cloud credential,
 * cert-manager active on `dev`, and the repository bound to the component.
 * Everything is made through the portal's own APIs, by bob, as a team would.
 */
import { stringify } from 'yaml';
import { GROUPS, USERS } from './callers';
import { ActionRow, Doubles, World } from './types';

export const OWNER = GROUPS.payments;
export const CLUSTER = 'dev';
export const PROVISIONED = 'orders-prod';
export const NAMESPACE = 'payments';
export const CREDENTIAL = 'payments-aws';
export const SERVICE = 'cert-manager';
export const COMPONENT = 'component:default/orders';
export const REPOSITORY = { owner: 'payments', name: 'orders' };

export const CLUSTERS_API = '/api/pipeline-clusters';
export const SERVICES_API = '/api/integrated-services';
export const SPOTGUIDES_API = '/api/spotguides';

/** A cloud credential value of kind `aws`, as the API accepts it. */
export const AWS_VALUE = {
  accessKeyId: 'AKIATENANCYTEST0001',
  secretAccessKey: 'tenancy-test-secret-access-key-0001',
};

/** A node pool of the provisioned cluster. */
export const nodePool = (maxSize: number) => ({
  name: 'default',
  machineType: 'm5.large',
  minSize: 1,
  maxSize,
});

/** An EKS cluster of the owner's, on the owner's credential. */
export const eksCluster = (name: string) => ({
  name,
  owner: OWNER,
  distribution: 'eks',
  region: 'eu-west-1',
  kubernetesVersion: '1.32',
  credential: CREDENTIAL,
  nodePools: [nodePool(3)],
});

const entity = (kind: string, name: string, spec: object) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name },
  spec,
});

/** The organisation: three teams, one user each. */
export const ORG = [
  ...['payments', 'marketing', 'platform'].map(team =>
    entity('Group', team, { type: 'team', children: [] }),
  ),
  ...(
    [
      [USERS.owner, 'payments'],
      [USERS.other, 'marketing'],
      [USERS.admin, 'platform'],
    ] as const
  ).map(([ref, team]) =>
    entity('User', ref.split('/')[1], { memberOf: [team] }),
  ),
];

/** The name of the Template that runs one action. */
export const templateName = (actionId: string) =>
  `tenancy-${actionId.replace(/:/g, '-')}`;

/**
 * One Template per action (the scaffolder runs tasks from catalog
 * templates only), owned by the platform team as the portal's templates
 * are: a single step whose input comes from the task's values and secrets.
 */
export function templatesFor(rows: ActionRow[], d: Doubles): object[] {
  return rows.map(row => {
    const keys = new Set([
      ...Object.keys(row.input(d, 'owner')),
      ...Object.keys(row.input(d, 'other')),
    ]);
    const input: Record<string, string> = {};
    for (const key of keys) input[key] = `\${{ parameters.${key} }}`;
    for (const key of Object.keys(row.secrets?.(d) ?? {})) {
      input[key] = `\${{ secrets.${key} }}`;
    }
    return {
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: { name: templateName(row.id), title: `Runs ${row.id}` },
      spec: {
        owner: GROUPS.platform,
        type: 'tenancy-test',
        parameters: [{ title: 'Input', type: 'object' }],
        steps: [{ id: 'act', name: row.id, action: row.id, input }],
      },
    };
  });
}

/** The repository's own declaration of its component. */
const CATALOG_INFO = stringify({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders',
    annotations: {
      'github.com/project-slug': 'payments/orders',
      'backstage.io/kubernetes-id': 'orders',
      'pipeline-portal.io/runtime-cluster': CLUSTER,
      'pipeline-portal.io/namespace': NAMESPACE,
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: OWNER },
});

const BUILD_PIPELINE = stringify({
  apiVersion: 'tekton.dev/v1',
  kind: 'PipelineRun',
  metadata: {
    generateName: 'orders-build-',
    annotations: { 'pipeline-portal.io/on': 'push:\n  branches: [main]\n' },
  },
  spec: { pipelineRef: { name: 'build' } },
});

const delay = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Polls until `fn` returns a value other than undefined; fails at the deadline. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; await delay(100)) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Waits until the catalog holds an entity (read as the admin). */
export function waitForEntity(w: World, kind: string, name: string) {
  return waitFor(`${kind} ${name} in the catalog`, async () => {
    const res = await w.send(
      {
        method: 'GET',
        path: `/api/catalog/entities/by-name/${kind}/default/${name}`,
      },
      'admin',
    );
    return res.status === 200 ? res.body : undefined;
  });
}

/** Seeds the owner's world; see the top of this file. */
export async function seed(w: World, templates: number): Promise<void> {
  const { gh } = w;
  await gh.createRepo(REPOSITORY.owner, REPOSITORY.name, { autoInit: true });
  for (const [file, content] of [
    ['catalog-info.yaml', CATALOG_INFO],
    ['.tekton/build.yaml', BUILD_PIPELINE],
  ]) {
    await gh.commitFile(REPOSITORY.owner, REPOSITORY.name, {
      path: file,
      content,
    });
  }

  // The catalog reads the org, the templates and the definitions from files.
  for (const [kind, name] of [
    ['user', 'bob'],
    ['user', 'carol'],
    ['user', 'alice'],
    ['group', 'payments'],
    ['integratedservice', SERVICE],
    ['integratedservice', 'ingress'],
  ]) {
    await waitForEntity(w, kind, name);
  }
  await waitFor('the templates', async () => {
    const res = await w.send(
      {
        method: 'GET',
        path: '/api/catalog/entities',
        query: { filter: 'kind=template,spec.type=tenancy-test' },
      },
      'admin',
    );
    return res.body?.length === templates ? true : undefined;
  });

  // The component, registered from the file in its repository.
  await w.asOwner(
    {
      method: 'POST',
      path: '/api/catalog/locations',
      body: {
        type: 'url',
        target: `http://${gh.host}/payments/orders/blob/main/catalog-info.yaml`,
      },
    },
    201,
  );
  await waitForEntity(w, 'component', 'orders');

  const owner = (call: Parameters<World['asOwner']>[0], ...ok: number[]) =>
    w.asOwner(call, ...ok);
  await owner(
    {
      method: 'POST',
      path: `${CLUSTERS_API}/clusters/import`,
      body: { name: CLUSTER, owner: OWNER, kubeconfig: w.kubeconfig },
    },
    201,
  );
  await owner(
    {
      method: 'POST',
      path: `${CLUSTERS_API}/credentials`,
      body: { name: CREDENTIAL, owner: OWNER, kind: 'aws', value: AWS_VALUE },
    },
    201,
  );
  await owner(
    {
      method: 'POST',
      path: `${CLUSTERS_API}/clusters`,
      body: eksCluster(PROVISIONED),
    },
    201,
  );
  await owner(
    {
      method: 'POST',
      path: `${CLUSTERS_API}/clusters/${CLUSTER}/namespaces`,
      body: { namespace: NAMESPACE, team: OWNER },
    },
    201,
  );
  await owner(
    {
      method: 'PUT',
      path: `${SERVICES_API}/clusters/${CLUSTER}/instances/${SERVICE}`,
      body: { spec: {} },
    },
    200,
  );
  await owner(
    {
      method: 'PUT',
      path: `${SPOTGUIDES_API}/repositories/payments/orders/binding`,
      body: {
        entityRef: COMPONENT,
        target: { cluster: CLUSTER, namespace: NAMESPACE },
      },
    },
    200,
  );
  // The Kubernetes plugin learns of the imported cluster on its refresh.
  await waitFor('cluster dev in the Kubernetes plugin', async () => {
    const res = await w.send(
      { method: 'GET', path: '/api/kubernetes/clusters' },
      'owner',
    );
    return res.body?.items?.some((c: { name: string }) => c.name === CLUSTER)
      ? true
      : undefined;
  });
}
