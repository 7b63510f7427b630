// Integrated services end to end: a team imports a workload cluster (the
// Kubernetes API double with Flux's controllers played), activates monitoring
// on it from its catalog page's Integrated services tab, installs cert-manager
// 1.14.7 and upgrades it to 1.16.1 along the two-step path the version graph
// shows, then finds both on the fleet page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, screenshot } from './lib/browser.mjs';
import { eventually } from './lib/eventually.mjs';
import { portalApi, startPortal } from './lib/portal.mjs';
import { startServicesDouble } from './lib/services-double.mjs';

const OWNER = 'group:default/storefront';
const CLUSTER = 'shop-services';

describe('integrated services', { timeout: 420_000 }, () => {
  let kube;
  let portal;
  let token;

  /** The portal's HTTP API as the guest. */
  const api = portalApi(
    () => portal,
    () => token,
  );

  const instance = async service => {
    const { status, body } = await api(
      `/api/integrated-services/clusters/${CLUSTER}/instances/${service}`,
    );
    return status === 200 ? body : undefined;
  };

  before(async () => {
    // Slower than the tab's 3 s polling, so each phase is on screen.
    kube = await startServicesDouble({ readyAfterMs: 2500 });
    portal = await startPortal({
      config: `
pipelinePortal:
  clusters:
    import:
      allowedCidrs: ['127.0.0.0/8']
  integratedServices:
    reconcile:
      intervalSeconds: 1
      baseBackoffSeconds: 1
    definitionsCacheSeconds: 1
catalog:
  providers:
    pipelineClusters:
      schedule:
        frequency: { seconds: 2 }
        timeout: { seconds: 30 }
`,
    });
    // The guest's groups are resolved when its token is issued: only once the
    // catalog holds the org does the token carry the storefront membership.
    token = await eventually(
      'the guest to be a storefront member',
      async () => {
        const res = await fetch(`${portal.url}/api/auth/guest/refresh`, {
          headers: { 'x-requested-with': 'XMLHttpRequest' },
        });
        assert.equal(res.status, 200, 'guest refresh');
        const { backstageIdentity } = await res.json();
        return backstageIdentity.identity.ownershipEntityRefs.includes(OWNER)
          ? backstageIdentity.token
          : undefined;
      },
      { timeoutMs: 60_000 },
    );

    // The definitions come from the catalog, ingested after start-up.
    await eventually(
      'monitoring and cert-manager offered',
      async () => {
        const { body } = await api('/api/integrated-services/services');
        const names = (body?.items ?? []).map(s => s.name);
        return names.includes('monitoring') && names.includes('cert-manager');
      },
      { timeoutMs: 90_000 },
    );

    const kubeconfig = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'shop',
          cluster: {
            server: kube.url,
            'certificate-authority-data': kube.caData,
          },
        },
      ],
      users: [{ name: 'shop', user: { token: kube.token } }],
      contexts: [{ name: 'shop', context: { cluster: 'shop', user: 'shop' } }],
      'current-context': 'shop',
    });
    const imported = await api('/api/pipeline-clusters/clusters/import', {
      method: 'POST',
      body: JSON.stringify({ name: CLUSTER, owner: OWNER, kubeconfig }),
    });
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    await eventually(
      'the imported cluster Running',
      async () =>
        (
          await api(`/api/pipeline-clusters/clusters/${CLUSTER}`)
        ).body?.status?.phase === 'Running',
      { timeoutMs: 60_000 },
    );
    await eventually(
      'the cluster in the catalog',
      async () =>
        (
          await api(`/api/catalog/entities/by-name/resource/default/${CLUSTER}`)
        ).status === 200,
      { timeoutMs: 60_000 },
    );
  });

  after(async () => {
    await portal?.stop();
    await kube?.stop();
  });

  describe('in the browser', () => {
    let browser;
    let page;
    const row = service => page.getByTestId(`service-row-${service}`);
    const phaseOf = service => row(service).getByTestId('instance-phase');

    /** Waits until the tab shows `service` Ready at `version` (it polls). */
    async function waitReady(service, version) {
      await row(service)
        .locator('[data-testid="instance-phase"][data-phase="Ready"]')
        .waitFor({ timeout: 90_000 });
      await row(service)
        .getByTestId('instance-version')
        .filter({ hasText: new RegExp(`^${version.replace(/\./g, '\\.')}$`) })
        .waitFor({ timeout: 30_000 });
    }

    /** Sends the activate dialog's step; fails with the dialog's error if one shows. */
    async function submitActivate(next) {
      await page.getByTestId('activate-dialog-submit').click();
      const error = page.getByTestId('activate-dialog-error');
      await next.or(error).first().waitFor();
      if (await error.isVisible()) {
        assert.fail(`the dialog refused: ${await error.textContent()}`);
      }
    }

    before(async () => {
      browser = await launchBrowser();
      page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
      page.setDefaultTimeout(30_000);
      await page.goto(portal.url);
      await page.getByRole('button', { name: 'Enter' }).click();
      await page.getByText('Pipeline Portal Catalog').waitFor();
    });

    after(async () => {
      await browser?.close();
    });

    it('shows every service offered on the cluster page tab', async () => {
      await page.goto(
        `${portal.url}/catalog/default/resource/${CLUSTER}/integrated-services`,
      );
      await row('monitoring')
        .waitFor()
        .catch(async error => {
          // What the tab shows instead: an error panel or a message.
          await screenshot(page, 'services-00-tab-failure');
          throw new Error(
            `${error.message}\nthe tab shows: ${await page
              .locator('main')
              .innerText()}`,
          );
        });
      await row('cert-manager').waitFor();
      assert.equal(
        await phaseOf('monitoring').getAttribute('data-phase'),
        'none',
      );
      await screenshot(page, 'services-01-cluster-tab');
    });

    it('activates monitoring from its generated form, after a preview of plan and values', async () => {
      await page.getByTestId('activate-monitoring').click();
      const retention = page.getByLabel('Metrics retention');
      await retention.waitFor();
      assert.equal(await retention.inputValue(), '10d', 'the schema default');

      // Refused by the schema before anything is sent.
      await retention.fill('forever');
      await page.getByTestId('activate-dialog-submit').click();
      await page
        .getByText(/must match pattern/)
        .first()
        .waitFor();
      await screenshot(page, 'services-02-form-error');

      await retention.fill('15d');
      await submitActivate(page.getByTestId('preview'));
      assert.match(
        await page.getByTestId('preview-direction').textContent(),
        /^Install /,
      );
      assert.ok(
        (await page.getByTestId('values-diff-row').count()) > 0,
        'a first install adds values',
      );
      await screenshot(page, 'services-03-preview');

      await page.getByTestId('activate-dialog-submit').click();
      await page.getByTestId('activate-dialog').waitFor({ state: 'detached' });
      const newest = (
        await api('/api/integrated-services/services')
      ).body.items.find(s => s.name === 'monitoring').newestVersion;
      await waitReady('monitoring', newest);
      await screenshot(page, 'services-04-monitoring-ready');

      const view = await instance('monitoring');
      assert.equal(view.status.installedVersion, newest);
      assert.equal(view.desired.spec.retention, '15d');
      assert.equal(view.managedBy, 'portal');
    });

    it('installs cert-manager 1.14.7', async () => {
      await page.getByTestId('activate-cert-manager').click();
      await page.getByTestId('version-select').selectOption('1.14.7');
      await submitActivate(page.getByTestId('preview'));
      await page.getByTestId('activate-dialog-submit').click();
      await page.getByTestId('activate-dialog').waitFor({ state: 'detached' });
      await waitReady('cert-manager', '1.14.7');
    });

    it('upgrades cert-manager to 1.16.1 along the two-step path the graph shows', async () => {
      await page.getByTestId('upgrade-cert-manager').click();
      await page.getByTestId('version-graph').waitFor();
      await page.getByTestId('target-select').selectOption('1.16.1');
      const highlighted = (from, to) =>
        page
          .getByTestId(`graph-edge-${from}-${to}`)
          .getAttribute('data-highlighted');
      assert.equal(await highlighted('1.14.7', '1.15.3'), 'true');
      assert.equal(await highlighted('1.15.3', '1.16.1'), 'true');
      assert.equal(
        await page.getByTestId('graph-node-1.14.7').getAttribute('data-state'),
        'installed',
      );
      assert.equal(
        await page.getByTestId('graph-node-1.15.3').getAttribute('data-state'),
        'on-path',
      );
      assert.equal(
        await page.getByTestId('graph-node-1.16.1').getAttribute('data-state'),
        'target',
      );
      assert.equal(
        await page.getByTestId('upgrade-path').textContent(),
        '1.14.7 → 1.15.3 → 1.16.1',
      );
      assert.ok((await page.getByTestId('upgrade-steps-item').count()) >= 2);
      await screenshot(page, 'services-05-upgrade-graph');

      await page.getByTestId('upgrade-dialog-submit').click();
      await page.getByTestId('upgrade-dialog').waitFor({ state: 'detached' });
      await waitReady('cert-manager', '1.16.1');
      await screenshot(page, 'services-06-cert-manager-upgraded');

      const view = await instance('cert-manager');
      assert.equal(view.status.installedVersion, '1.16.1');
      assert.equal(view.status.phase, 'Ready');
    });

    it('lists both on the fleet page, filterable by service', async () => {
      await page.goto(`${portal.url}/integrated-services`);
      await page.getByTestId(`fleet-row-${CLUSTER}-monitoring`).waitFor();
      await page.getByTestId(`fleet-row-${CLUSTER}-cert-manager`).waitFor();
      await page.getByTestId('filter-service').selectOption('cert-manager');
      await page
        .getByTestId(`fleet-row-${CLUSTER}-monitoring`)
        .waitFor({ state: 'detached' });
      assert.equal(
        await page.getByTestId(`fleet-row-${CLUSTER}-cert-manager`).count(),
        1,
      );
      await screenshot(page, 'services-07-fleet');
    });
  });
});
