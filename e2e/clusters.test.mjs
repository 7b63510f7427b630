// Clusters end to end: the portal provisions through a management cluster (the
// Kubernetes API double with the engines' controllers played), in the browser
// as the guest (a storefront member) and through the HTTP API: scaffolder
// template, import, catalog entities and the Kubernetes plugin's cluster list.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, screenshot } from './lib/browser.mjs';
import { startManagementDouble } from './lib/management-double.mjs';
import { portalApi, startPortal } from './lib/portal.mjs';
import { eventually } from './lib/eventually.mjs';

const OWNER = 'group:default/storefront';
const CREDENTIAL = 'storefront-aws';
const AWS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
// Longer than the UI's polling intervals (3 s on a cluster page), so each
// transitional phase is on screen at least once.
const READY_AFTER_MS = 4000;

describe('clusters', { timeout: 360_000 }, () => {
  let double;
  let portal;
  let token;

  /** The portal's HTTP API as the guest. */
  const api = portalApi(
    () => portal,
    () => token,
  );

  /** GET on the management cluster double, trusting its CA. */
  function kubeGet(path) {
    return new Promise((resolve, reject) => {
      https
        .get(
          `${double.url}${path}`,
          {
            ca: Buffer.from(double.caData, 'base64').toString(),
            headers: { authorization: `Bearer ${double.token}` },
          },
          res => {
            let text = '';
            res.on('data', d => (text += d));
            res.on('end', () =>
              res.statusCode === 200
                ? resolve(JSON.parse(text))
                : reject(new Error(`GET ${path}: ${res.statusCode} ${text}`)),
            );
          },
        )
        .on('error', reject);
    });
  }

  before(async () => {
    double = await startManagementDouble({ readyAfterMs: READY_AFTER_MS });
    const q = JSON.stringify;
    portal = await startPortal({
      config: `
pipelinePortal:
  clusters:
    management:
      url: ${q(double.url)}
      caData: ${q(double.caData)}
      token: ${q(double.token)}
      namespace: pipeline-clusters
    reconcile:
      intervalSeconds: 1
    import:
      allowedCidrs: ['127.0.0.0/8']
    kubernetesSupplier:
      refreshIntervalSeconds: 2
catalog:
  providers:
    pipelineClusters:
      schedule:
        frequency: { seconds: 2 }
        timeout: { seconds: 30 }
`,
    });
    const res = await fetch(`${portal.url}/api/auth/guest/refresh`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    assert.equal(res.status, 200, 'guest refresh');
    token = (await res.json()).backstageIdentity.token;
    assert.ok(token, 'a guest token');
  });

  after(async () => {
    await portal?.stop();
    await double?.stop();
  });

  describe('in the browser', () => {
    let browser;
    let page;
    const clusterPosts = [];
    /** Bodies of the PATCH requests the page sends for shop-dev. */
    const clusterPatches = [];

    before(async () => {
      browser = await launchBrowser();
      page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
      page.setDefaultTimeout(30_000);
      page.on('request', request => {
        if (
          request.method() === 'POST' &&
          new URL(request.url()).pathname === '/api/pipeline-clusters/clusters'
        ) {
          clusterPosts.push(request.postData());
        }
        if (
          request.method() === 'PATCH' &&
          new URL(request.url()).pathname ===
            '/api/pipeline-clusters/clusters/shop-dev'
        ) {
          clusterPatches.push(JSON.parse(request.postData()));
        }
      });
      await page.goto(portal.url);
      await page.getByRole('button', { name: 'Enter' }).click();
      await page.getByText('Pipeline Portal Catalog').waitFor();
    });

    after(async () => {
      await browser?.close();
    });

    const status = () => page.locator('[data-testid="cluster-status"]');

    it('adds an AWS credential for the storefront team', async () => {
      await page.goto(`${portal.url}/clusters/credentials`);
      await page.getByTestId('add-credential-button').click();
      await page.getByTestId('credential-owner').selectOption(OWNER);
      await page.getByTestId('credential-name').fill(CREDENTIAL);
      await page.getByTestId('credential-kind').selectOption('aws');
      await page
        .getByTestId('credential-value-accessKeyId')
        .fill(AWS.accessKeyId);
      await page
        .getByTestId('credential-value-secretAccessKey')
        .fill(AWS.secretAccessKey);
      await screenshot(page, 'clusters-01-credential-form');
      await page.getByTestId('credential-submit').click();
      const row = page.getByRole('row').filter({ hasText: CREDENTIAL });
      await row.waitFor();
      assert.match(await row.textContent(), /aws/);
      await screenshot(page, 'clusters-02-credentials');

      const { status: code, body } = await api(
        `/api/pipeline-clusters/credentials?owner=${encodeURIComponent(OWNER)}`,
      );
      assert.equal(code, 200);
      assert.deepEqual(
        body.items.map(c => [c.name, c.kind]),
        [[CREDENTIAL, 'aws']],
      );
      // Names and kinds only: the secret never comes back.
      assert.doesNotMatch(JSON.stringify(body), /wJalrXUt/);
    });

    /** Opens the New cluster dialog on a freshly loaded list and fills it. */
    async function fillNewCluster({ minSize, desiredSize, maxSize }) {
      await page.goto(`${portal.url}/clusters`);
      await page.getByTestId('new-cluster-button').click();
      await page.getByTestId('new-cluster-name').fill('shop-dev');
      await page.getByTestId('new-cluster-owner').selectOption(OWNER);
      await page.getByTestId('new-cluster-distribution').selectOption('eks');
      await page.getByTestId('new-cluster-region').fill('eu-west-1');
      // The owner's credentials load asynchronously.
      await page
        .getByTestId('new-cluster-credential')
        .locator(`option[value="${CREDENTIAL}"]`)
        .waitFor({ state: 'attached' });
      await page.getByTestId('new-cluster-credential').selectOption(CREDENTIAL);
      await page.getByTestId('new-pool-0-name').fill('default');
      await page.getByTestId('new-pool-0-machineType').fill('m5.large');
      await page.getByTestId('new-pool-0-minSize').fill(String(minSize));
      await page
        .getByTestId('new-pool-0-desiredSize')
        .fill(String(desiredSize));
      await page.getByTestId('new-pool-0-maxSize').fill(String(maxSize));
    }

    it('refuses a node pool whose min exceeds max, creating nothing', async () => {
      await fillNewCluster({ minSize: 4, desiredSize: 2, maxSize: 3 });
      await page.getByTestId('new-cluster-submit').click();

      const minHelper = page
        .getByTestId('new-pool-0-minSize')
        .locator(
          'xpath=ancestor::div[contains(@class,"MuiFormControl-root")][1]',
        )
        .locator('.MuiFormHelperText-root');
      await minHelper.waitFor();
      assert.match(
        await minHelper.textContent(),
        /minSize \(4\) is greater than maxSize \(3\)/,
      );
      assert.equal(
        await page
          .getByTestId('new-pool-0-minSize')
          .getAttribute('aria-invalid'),
        'true',
      );
      await screenshot(page, 'clusters-03-form-error');

      // Still open, nothing sent, nothing stored.
      assert.equal(await page.getByRole('dialog').count(), 1);
      assert.equal(clusterPosts.length, 0, 'no create request was sent');
      const list = await api('/api/pipeline-clusters/clusters');
      assert.equal(list.status, 200);
      assert.equal(list.body.totalCount, 0, 'no cluster exists');
    });

    it('creates an EKS cluster that goes Provisioning, then Running, without a reload', async () => {
      await fillNewCluster({ minSize: 1, desiredSize: 2, maxSize: 3 });
      assert.equal(
        await page.getByRole('dialog').locator('.Mui-error').count(),
        0,
        'a fresh form shows no errors',
      );
      await screenshot(page, 'clusters-04-new-cluster-form');
      await page.getByTestId('new-cluster-submit').click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });

      assert.equal(clusterPosts.length, 1);
      assert.deepEqual(JSON.parse(clusterPosts[0]).nodePools[0], {
        name: 'default',
        machineType: 'm5.large',
        minSize: 1,
        desiredSize: 2,
        maxSize: 3,
        labels: {},
        taints: [],
      });

      const link = page.getByRole('link', { name: 'shop-dev', exact: true });
      await link.waitFor();
      const listed = await page
        .getByRole('row')
        .filter({ has: link })
        .locator('[data-testid="cluster-status"]')
        .getAttribute('data-phase');
      assert.ok(
        ['Pending', 'Provisioning'].includes(listed),
        `a new cluster is Pending or Provisioning, not ${listed}`,
      );

      // Client-side navigation: the page below is never reloaded.
      const loads = [];
      page.on('load', () => loads.push(Date.now()));
      await link.click();
      await page.waitForURL(/\/clusters\/shop-dev$/);

      await status()
        .and(page.locator('[data-phase="Provisioning"]'))
        .waitFor({ timeout: 20_000 });
      await screenshot(page, 'clusters-05-provisioning');
      await status()
        .and(page.locator('[data-phase="Running"]'))
        .waitFor({ timeout: 30_000 });
      await screenshot(page, 'clusters-06-running');
      assert.equal(loads.length, 0, 'no page load while waiting');
      assert.equal(await page.getByTestId('node-pool-row-default').count(), 1);
    });

    it('scales the pool to 3: Updating, then Running; the spec and the MachinePool say 3', async () => {
      await page.getByTestId('scale-default-desired').fill('3');
      await page.getByTestId('scale-default-save').click();
      await status()
        .and(page.locator('[data-phase="Updating"]'))
        .waitFor({ timeout: 10_000 });
      await screenshot(page, 'clusters-07-updating');
      // Applied at the next reconcile pass (every second here), as creation
      // is: not only at the periodic resync of Running clusters (60 s).
      await status()
        .and(page.locator('[data-phase="Running"]'))
        .waitFor({ timeout: 20_000 });
      assert.equal(
        await page.getByTestId('scale-default-desired').inputValue(),
        '3',
      );

      const { status: code, body } = await api(
        '/api/pipeline-clusters/clusters/shop-dev',
      );
      assert.equal(code, 200);
      assert.equal(body.status.phase, 'Running');
      assert.equal(body.spec.nodePools[0].desiredSize, 3);

      const pools = await kubeGet(
        '/apis/cluster.x-k8s.io/v1beta2/namespaces/pipeline-clusters/machinepools?labelSelector=pipeline-portal.io%2Fcluster%3Dshop-dev',
      );
      assert.deepEqual(
        pools.items.map(mp => [mp.metadata.name, mp.spec.replicas]),
        [['shop-dev-default', 3]],
      );
    });

    it('shows the Provisioning and Running steps in the history', async () => {
      const entries = page.getByTestId('history-entry');
      await entries.first().waitFor();
      const phases = await entries.evaluateAll(els =>
        els.map(e => e.getAttribute('data-phase')),
      );
      for (const phase of ['Provisioning', 'Running', 'Updating']) {
        assert.ok(phases.includes(phase), `${phase} in ${phases}`);
      }
      // Newest first: Running after the update, Provisioning at the start.
      assert.equal(phases[0], 'Running');
      assert.ok(phases.lastIndexOf('Provisioning') > phases.indexOf('Running'));
      await screenshot(page, 'clusters-08-running-after-scale');
    });

    /** The MachinePools of shop-dev in the management cluster, by name. */
    async function machinePools() {
      const list = await kubeGet(
        '/apis/cluster.x-k8s.io/v1beta2/namespaces/pipeline-clusters/machinepools?labelSelector=pipeline-portal.io%2Fcluster%3Dshop-dev',
      );
      return Object.fromEntries(list.items.map(mp => [mp.metadata.name, mp]));
    }

    const GPU_POOL = {
      name: 'gpu',
      machineType: 'g5.xlarge',
      minSize: 1,
      desiredSize: 2,
      maxSize: 2,
      labels: { 'example.com/role': 'gpu' },
      taints: [
        { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
      ],
    };

    it('adds a node pool with a label and a taint that comes up Running with its nodes', async () => {
      await page.getByTestId('add-node-pool-button').click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await page.getByTestId('pool-form-name').fill('gpu');
      await page.getByTestId('pool-form-machineType').fill('g5.xlarge');
      await page.getByTestId('pool-form-minSize').fill('1');
      await page.getByTestId('pool-form-desiredSize').fill('2');
      await page.getByTestId('pool-form-maxSize').fill('2');
      await page.getByTestId('pool-add-label').click();
      await page.getByTestId('pool-label-0-key').fill('example.com/role');
      await page.getByTestId('pool-label-0-value').fill('gpu');
      await page.getByTestId('pool-add-taint').click();
      await page.getByTestId('pool-taint-0-key').fill('nvidia.com/gpu');
      await page.getByTestId('pool-taint-0-value').fill('present');
      await page.getByTestId('pool-taint-0-effect').selectOption('NoSchedule');
      assert.equal(await dialog.locator('.Mui-error').count(), 0);
      await screenshot(page, 'clusters-add-pool');

      await page.getByTestId('node-pool-submit').click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(clusterPatches.length, 2, 'the scale, then the new pool');
      const before = clusterPatches[0].revision;
      assert.deepEqual(clusterPatches[1], {
        revision: before + 1,
        nodePools: [
          {
            name: 'default',
            machineType: 'm5.large',
            minSize: 1,
            desiredSize: 3,
            maxSize: 3,
            labels: {},
            taints: [],
          },
          GPU_POOL,
        ],
      });

      // While it is applied, no further change can start.
      await status()
        .and(page.locator('[data-phase="Updating"]'))
        .waitFor({ timeout: 10_000 });
      await page.getByTestId('cluster-operation').waitFor();
      assert.equal(
        await page.getByTestId('add-node-pool-button').isDisabled(),
        true,
      );
      await status()
        .and(page.locator('[data-phase="Running"]'))
        .waitFor({ timeout: 30_000 });

      const row = page.getByTestId('node-pool-row-gpu');
      assert.match(
        await row.getByTestId('node-pool-labels-gpu').textContent(),
        /example\.com\/role=gpu/,
      );
      assert.match(
        await row.getByTestId('node-pool-taints-gpu').textContent(),
        /nvidia\.com\/gpu=present:NoSchedule/,
      );
      // Its two nodes are ready: the cluster counts 3 + 2.
      await page
        .getByTestId('cluster-node-count')
        .filter({ hasText: /^5$/ })
        .waitFor({ timeout: 20_000 });
      await screenshot(page, 'clusters-add-pool-running');

      const pools = await machinePools();
      assert.equal(pools['shop-dev-gpu']?.status?.phase, 'Running');
      assert.equal(pools['shop-dev-gpu'].status.readyReplicas, 2);
      const infra = await kubeGet(
        '/apis/infrastructure.cluster.x-k8s.io/v1beta2/namespaces/pipeline-clusters/awsmanagedmachinepools/shop-dev-gpu',
      );
      assert.equal(infra.spec.instanceType, 'g5.xlarge');
      assert.deepEqual(infra.spec.labels, { 'example.com/role': 'gpu' });
      assert.deepEqual(infra.spec.taints, [
        { key: 'nvidia.com/gpu', value: 'present', effect: 'no-schedule' },
      ]);
    });

    it('removes the node pool after a confirmation that names it', async () => {
      await page.getByTestId('remove-pool-gpu').click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      assert.match(await dialog.textContent(), /Remove node pool gpu\?/);
      assert.match(
        await page.getByTestId('remove-pool-text').textContent(),
        /The nodes of gpu \(g5\.xlarge, 2 desired\)/,
      );
      await page.waitForTimeout(300); // the dialog's fade-in
      await screenshot(page, 'clusters-remove-pool');
      await page.getByTestId('remove-pool-submit').click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(clusterPatches.length, 3);
      assert.deepEqual(
        clusterPatches[2].nodePools.map(p => p.name),
        ['default'],
      );

      await status()
        .and(page.locator('[data-phase="Updating"]'))
        .waitFor({ timeout: 10_000 });
      await status()
        .and(page.locator('[data-phase="Running"]'))
        .waitFor({ timeout: 30_000 });
      await page
        .getByTestId('node-pool-row-gpu')
        .waitFor({ state: 'detached' });
      // The last pool stays.
      assert.equal(
        await page.getByTestId('remove-pool-default').isDisabled(),
        true,
      );
      await page
        .getByTestId('cluster-node-count')
        .filter({ hasText: /^3$/ })
        .waitFor({ timeout: 20_000 });

      const { body } = await api('/api/pipeline-clusters/clusters/shop-dev');
      assert.equal(body.status.phase, 'Running');
      assert.deepEqual(
        body.spec.nodePools.map(p => p.name),
        ['default'],
      );
      // The pool's engine objects go from the management cluster (once the
      // engine has released their finalizers).
      const labelled = '?labelSelector=pipeline-portal.io%2Fcluster%3Dshop-dev';
      const names = async path =>
        (await kubeGet(`${path}${labelled}`)).items.map(o => o.metadata.name);
      await eventually('the gpu pool objects to go', async () => {
        const pools = await names(
          '/apis/cluster.x-k8s.io/v1beta2/namespaces/pipeline-clusters/machinepools',
        );
        const aws = await names(
          '/apis/infrastructure.cluster.x-k8s.io/v1beta2/namespaces/pipeline-clusters/awsmanagedmachinepools',
        );
        return (
          JSON.stringify([pools, aws]) ===
          JSON.stringify([['shop-dev-default'], ['shop-dev-default']])
        );
      });
    });

    it('deletes the cluster once its name is typed', async () => {
      await page.getByTestId('delete-cluster-button').click();
      const confirm = page.getByTestId('delete-confirm-button');
      assert.equal(await confirm.isDisabled(), true, 'disabled until typed');
      await page.getByTestId('delete-confirm-input').fill('shop-de');
      assert.equal(await confirm.isDisabled(), true, 'a prefix is not enough');
      await page.getByTestId('delete-confirm-input').fill('shop-dev');
      assert.equal(await confirm.isEnabled(), true, 'enabled by the name');
      await page.waitForTimeout(300); // MUI's button colour transition
      await screenshot(page, 'clusters-09-delete-confirm');
      await confirm.click();
      await status()
        .and(page.locator('[data-phase="Deleting"]'))
        .waitFor({ timeout: 10_000 });

      await page.getByTestId('back-to-clusters').click();
      await page.getByTestId('new-cluster-button').waitFor();
      await page
        .getByRole('link', { name: 'shop-dev', exact: true })
        .waitFor({ state: 'detached', timeout: 40_000 });
      await page.getByTestId('clusters-empty').waitFor();
      await screenshot(page, 'clusters-10-deleted');

      const gone = await api('/api/pipeline-clusters/clusters/shop-dev');
      assert.equal(gone.status, 404);
      const left = await kubeGet(
        '/apis/cluster.x-k8s.io/v1beta2/namespaces/pipeline-clusters/clusters',
      );
      assert.deepEqual(
        left.items.map(c => c.metadata.name),
        [],
        'the engine objects are gone',
      );
    });
  });

  describe('through the HTTP API', () => {
    before(async () => {
      // Independent of the browser tests: the credential may exist already.
      const res = await api('/api/pipeline-clusters/credentials', {
        method: 'POST',
        body: JSON.stringify({
          owner: OWNER,
          name: 'storefront-aws-api',
          kind: 'aws',
          value: AWS,
        }),
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    });

    it('runs the kubernetes-cluster template until the cluster is Running', async () => {
      const created = await api('/api/scaffolder/v2/tasks', {
        method: 'POST',
        body: JSON.stringify({
          templateRef: 'template:default/kubernetes-cluster',
          values: {
            name: 'shop-tmpl',
            owner: OWNER,
            distribution: 'eks',
            region: 'eu-west-1',
            kubernetesVersion: '1.33',
            credential: 'storefront-aws-api',
            machineType: 'm5.large',
            minSize: 1,
            maxSize: 2,
          },
        }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id;

      const task = await eventually(
        'the task to end',
        async () => {
          const { body } = await api(`/api/scaffolder/v2/tasks/${id}`);
          return ['completed', 'failed', 'cancelled'].includes(body?.status)
            ? body
            : undefined;
        },
        { timeoutMs: 60_000, everyMs: 1000 },
      );
      if (task.status !== 'completed') {
        const events = await api(`/api/scaffolder/v2/tasks/${id}/events`);
        assert.fail(
          `task ${task.status}: ${JSON.stringify(
            events.body?.map?.(e => e.body?.message),
          )}`,
        );
      }

      const { status: code, body } = await api(
        '/api/pipeline-clusters/clusters/shop-tmpl',
      );
      assert.equal(code, 200);
      assert.equal(body.status.phase, 'Running');
      assert.equal(body.owner, OWNER);
      assert.equal(body.spec.kubernetesVersion, '1.33');
      assert.deepEqual(
        [body.spec.nodePools[0].minSize, body.spec.nodePools[0].maxSize],
        [1, 2],
      );
    });

    it('imports a cluster into the catalog and the Kubernetes plugin', async () => {
      const kubeconfig = JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'mgmt',
            cluster: {
              server: double.url,
              'certificate-authority-data': double.caData,
            },
          },
        ],
        users: [{ name: 'mgmt', user: { token: double.token } }],
        contexts: [
          { name: 'mgmt', context: { cluster: 'mgmt', user: 'mgmt' } },
        ],
        'current-context': 'mgmt',
      });
      const imported = await api('/api/pipeline-clusters/clusters/import', {
        method: 'POST',
        body: JSON.stringify({
          name: 'shop-imported',
          owner: OWNER,
          kubeconfig,
        }),
      });
      assert.equal(imported.status, 201, JSON.stringify(imported.body));
      assert.equal(imported.body.distribution, 'import');
      assert.equal(imported.body.status.phase, 'Running');

      const entity = await eventually(
        'the catalog Resource',
        async () => {
          const { status: code, body } = await api(
            '/api/catalog/entities/by-name/resource/default/shop-imported',
          );
          return code === 200 ? body : undefined;
        },
        { timeoutMs: 30_000 },
      );
      assert.equal(entity.spec.type, 'kubernetes-cluster');
      assert.equal(entity.spec.owner, OWNER);

      const clusters = await eventually(
        'the Kubernetes plugin to list the cluster',
        async () => {
          const { status: code, body } = await api('/api/kubernetes/clusters');
          assert.equal(code, 200, JSON.stringify(body));
          const names = body.items.map(c => c.name);
          return names.includes('shop-imported') ? names : undefined;
        },
        { timeoutMs: 30_000 },
      );
      // The template's cluster is Running too, so it is supplied as well.
      assert.ok(clusters.includes('shop-tmpl'), `${clusters}`);
    });
  });
});
