// Spotguides end to end: the guest (a storefront member) scaffolds the Node.js
// spotguide through the Create page onto an imported runtime cluster (the
// Kubernetes double playing Tekton); the repository appears on the GitHub
// double with the portal's webhook, the first push reaches the portal's events
// endpoint and starts the build PipelineRun in the team namespace, and the new
// component's page shows that run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, screenshot } from './lib/browser.mjs';
import { startGitHubDouble } from './lib/github-double.mjs';
import { startRuntimeDouble } from './lib/runtime-double.mjs';
import { portalApi, startPortal } from './lib/portal.mjs';
import { eventually } from './lib/eventually.mjs';

const OWNER = 'group:default/storefront';
const CLUSTER = 'shop-runtime';
const NAMESPACE = 'storefront';
const SERVICE = 'web-shop';
const SECRET = 'e2e-webhook-secret-0123456789abcdef';

describe('spotguides', { timeout: 420_000 }, () => {
  let kube;
  let github;
  let portal;
  let token;

  /** The portal's HTTP API as the guest. */
  const api = portalApi(
    () => portal,
    () => token,
  );

  /** The GitHub double's REST API with its default user's token. */
  async function gh(path) {
    const res = await fetch(`${github.url}${path}`, {
      headers: { authorization: `token ${github.token}` },
    });
    return { status: res.status, body: await res.json() };
  }

  before(async () => {
    kube = await startRuntimeDouble({ stepMs: 1500 });
    github = await startGitHubDouble({ orgs: ['storefront'] });
    const q = JSON.stringify;
    portal = await startPortal({
      config: `
integrations:
  github:
    # The spotguides offer github.com: here its API is the double's. The
    # double's own host serves the clone and contents URLs it answers with.
    - host: github.com
      apiBaseUrl: ${q(github.url)}
      token: ${q(github.token)}
    - host: ${q(github.host)}
      apiBaseUrl: ${q(github.url)}
      token: ${q(github.token)}
events:
  http:
    topics: [github]
  modules:
    github:
      webhookSecret: ${q(SECRET)}
pipelinePortal:
  clusters:
    import:
      allowedCidrs: ['127.0.0.0/8']
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
    const guestToken = async () => {
      const res = await fetch(`${portal.url}/api/auth/guest/refresh`, {
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      });
      assert.equal(res.status, 200, 'guest refresh');
      return (await res.json()).backstageIdentity;
    };
    token = await eventually(
      'the guest to be a storefront member',
      async () => {
        const identity = await guestToken();
        return identity.identity.ownershipEntityRefs.includes(OWNER)
          ? identity.token
          : undefined;
      },
      { timeoutMs: 60_000 },
    );

    // The runtime cluster: the Kubernetes double, imported by the team.
    const kubeconfig = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'runtime',
          cluster: {
            server: kube.url,
            'certificate-authority-data': kube.caData,
          },
        },
      ],
      users: [{ name: 'runtime', user: { token: kube.token } }],
      contexts: [
        { name: 'runtime', context: { cluster: 'runtime', user: 'runtime' } },
      ],
      'current-context': 'runtime',
    });
    const imported = await api('/api/pipeline-clusters/clusters/import', {
      method: 'POST',
      body: JSON.stringify({ name: CLUSTER, owner: OWNER, kubeconfig }),
    });
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    await eventually('the runtime cluster in the catalog', async () => {
      const { status } = await api(
        `/api/catalog/entities/by-name/resource/default/${CLUSTER}`,
      );
      return status === 200;
    });
  });

  after(async () => {
    await portal?.stop();
    await github?.stop();
    await kube?.stop();
  });

  describe('in the browser', () => {
    let browser;
    let page;

    before(async () => {
      browser = await launchBrowser();
      page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
      page.setDefaultTimeout(30_000);
      await page.goto(portal.url);
      await page
        .getByRole('button', { name: 'Enter' })
        .click({ timeout: 90_000 })
        .catch(async error => {
          await screenshot(page, 'spotguides-sign-in-failed');
          throw error;
        });
      await page.getByText('Pipeline Portal Catalog').waitFor();
    });

    after(async () => {
      await browser?.close();
    });

    /** Picks an option of an Autocomplete field (OwnerPicker, EntityPicker). */
    async function pick(label, text) {
      const input = page.getByLabel(label, { exact: false }).first();
      await input.click();
      await input.fill(text);
      // Options show titles ("Storefront team"): match case-insensitively.
      await page
        .getByRole('option', { name: new RegExp(text, 'i') })
        .first()
        .click();
    }

    it('scaffolds the Node.js spotguide through the Create page', async () => {
      await page.goto(`${portal.url}/create`);
      const card = page
        .locator('[data-testid="template-card"], .MuiCard-root')
        .filter({ hasText: 'Node.js web service (TypeScript)' })
        .first();
      await card.getByRole('button', { name: /choose/i }).click();

      // The service.
      await page.getByLabel('Name', { exact: false }).first().fill(SERVICE);
      await page
        .getByLabel('Description', { exact: false })
        .first()
        .fill('The web shop');
      await pick('Owner', 'storefront');
      await screenshot(page, 'spotguides-form-service');
      await page.getByRole('button', { name: 'Next' }).click();

      // Where it runs: the runtime cluster from the clusters capability.
      await pick('Runtime cluster', CLUSTER);
      await page
        .getByLabel('Team namespace', { exact: false })
        .first()
        .fill(NAMESPACE);
      await page.getByLabel('Create the namespace', { exact: false }).check();
      await page.getByRole('button', { name: 'Next' }).click();

      // The repository: the portal's GitHub integration, owner and name.
      await page.getByText('Repository location').first().waitFor();
      // github.com is the only host offered, so it is chosen already.
      await screenshot(page, 'spotguides-form-repository');
      // Typed key by key and left with Tab, as the pickers' autocompletes
      // commit what was typed only then.
      const owner = page.getByLabel('Owner', { exact: false }).first();
      await owner.click();
      await owner.pressSequentially('storefront');
      await owner.press('Tab');
      const repository = page.getByRole('combobox').getByLabel('Repository');
      await repository.click();
      await repository.pressSequentially(SERVICE);
      await repository.press('Tab');
      await page.getByRole('button', { name: 'Review' }).click();
      await screenshot(page, 'spotguides-form-review');
      await page.getByRole('button', { name: 'Create' }).click();

      await page
        .getByRole('link', { name: 'Open in catalog' })
        .waitFor({ timeout: 120_000 })
        .catch(async error => {
          await screenshot(page, 'spotguides-task-failed');
          const tasks = await api('/api/scaffolder/v2/tasks?limit=1');
          const task = tasks.body?.tasks?.[0];
          const events = task
            ? await api(`/api/scaffolder/v2/tasks/${task.id}/events`)
            : undefined;
          const log = (events?.body ?? [])
            .map(e => e.body?.message)
            .filter(Boolean)
            .join('\n');
          throw new Error(`${error.message}\ntask ${task?.status}:\n${log}`);
        });
      await screenshot(page, 'spotguides-task-done');
    });

    it('published the repository with the portal webhook, and its first push reached the portal', async () => {
      const files = await gh(`/repos/storefront/${SERVICE}/contents/.tekton`);
      assert.equal(files.status, 200, JSON.stringify(files.body));
      assert.deepEqual(files.body.map(f => f.name).sort(), [
        'build.yaml',
        'cd.yaml',
        'ci.yaml',
      ]);
      const hooks = await gh(`/repos/storefront/${SERVICE}/hooks`);
      assert.equal(hooks.status, 200);
      assert.equal(hooks.body.length, 1);
      assert.equal(
        hooks.body[0].config.url,
        `${portal.url}/api/events/http/github`,
      );
      assert.deepEqual(hooks.body[0].events, [
        'push',
        'pull_request',
        'deployment',
        'issue_comment',
      ]);
      // GitHub answers with the secret masked; the delivery was accepted.
      assert.equal(hooks.body[0].last_response.code, 202);
    });

    it('shows the new component with its first run, which succeeds', async () => {
      // catalog:register adds the location; the entity is there once the
      // catalog has processed it (the page does not fetch it again).
      await eventually(
        'the component in the catalog',
        async () =>
          (
            await api(
              `/api/catalog/entities/by-name/component/default/${SERVICE}`,
            )
          ).status === 200,
        { timeoutMs: 60_000 },
      );
      await page.getByRole('link', { name: 'Open in catalog' }).click();
      await page.getByText(SERVICE, { exact: true }).first().waitFor();
      const runs = page.getByTestId('pipeline-runs');
      await runs.waitFor({ timeout: 90_000 }).catch(async error => {
        await screenshot(page, 'spotguides-component-page');
        throw error;
      });
      // The first push to main ran the build pipeline in the team namespace.
      const status = runs.locator('[data-testid^="run-status-"]').first();
      await status.waitFor({ timeout: 120_000 }).catch(async error => {
        await screenshot(page, 'spotguides-component-no-run');
        const deliveries = await api('/api/spotguides/deliveries?limit=5');
        throw new Error(
          `${error.message}\ndeliveries: ${JSON.stringify(deliveries.body)}`,
        );
      });
      await screenshot(page, 'spotguides-component-first-run');
      const listed = await api(
        `/api/spotguides/runs?entityRef=${encodeURIComponent(
          `component:default/${SERVICE}`,
        )}`,
      );
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      assert.equal(listed.body.items.length, 1, JSON.stringify(listed.body));
      assert.deepEqual(
        {
          pipeline: listed.body.items[0].pipeline,
          cluster: listed.body.items[0].cluster,
          namespace: listed.body.items[0].namespace,
        },
        { pipeline: 'build', cluster: CLUSTER, namespace: NAMESPACE },
      );
      await eventually(
        'the run to succeed on the page',
        async () => (await status.textContent()) === 'Succeeded',
        { timeoutMs: 120_000 },
      );
      await screenshot(page, 'spotguides-component-run-succeeded');
    });
  });
});
