// The portal as a newcomer meets it: started with `npm start` on the embedded
// defaults, signed in as guest, the org and the spotguide in the catalog.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, screenshot } from './lib/browser.mjs';
import { startPortal } from './lib/portal.mjs';

describe('the portal in a browser', { timeout: 300_000 }, () => {
  let portal;
  let browser;
  let page;

  before(async () => {
    portal = await startPortal();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(30_000);
  });

  after(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it('signs in as guest', async () => {
    await page.goto(portal.url);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page.getByText('Pipeline Portal Catalog').waitFor();
    await screenshot(page, '01-catalog');
  });

  it('lists the org: the three teams and their users', async () => {
    await page.goto(
      `${portal.url}/?filters%5Bkind%5D=group&filters%5Buser%5D=all`,
    );
    for (const team of ['Platform team', 'Payments team', 'Storefront team']) {
      await page.getByRole('link', { name: team, exact: true }).waitFor();
    }
    await screenshot(page, '02-catalog-groups');

    await page.goto(
      `${portal.url}/?filters%5Bkind%5D=user&filters%5Buser%5D=all`,
    );
    for (const user of [
      'Alice Platform',
      'Bob Payments',
      'Carol Storefront',
      'Guest',
    ]) {
      await page.getByRole('link', { name: user, exact: true }).waitFor();
    }
    await screenshot(page, '03-catalog-users');
  });

  it('lists the spotguide template in the catalog', async () => {
    await page.goto(
      `${portal.url}/?filters%5Bkind%5D=template&filters%5Buser%5D=all`,
    );
    await page
      .getByRole('link', { name: /Node\.js web service|nodejs-service/ })
      .first()
      .waitFor();
    await screenshot(page, '04-catalog-templates');
  });

  it('offers the spotguide on the Create page', async () => {
    await page.goto(`${portal.url}/create`);
    await page.getByText('Node.js web service').first().waitFor();
    const card = await page
      .getByText(/A spotguide: a TypeScript Node\.js HTTP service/)
      .count();
    assert.ok(card >= 1, 'the template description is shown');
    await screenshot(page, '05-create');
  });

  it('has a place for each capability in the sidebar', async () => {
    await page
      .getByRole('link', { name: 'Clusters', exact: true })
      .first()
      .click();
    await page.getByTestId('new-cluster-button').waitFor();
    await page.getByTestId('import-cluster-button').waitFor();
    await screenshot(page, '06-clusters');

    await page
      .getByRole('link', { name: 'Integrated services', exact: true })
      .first()
      .click();
    // The fleet page: instances, or plainly that there is no cluster yet.
    await page
      .getByTestId('fleet-count')
      .or(page.getByTestId('fleet-no-clusters'))
      .waitFor();
    await page
      .getByRole('link', { name: 'Spotguides', exact: true })
      .first()
      .click();
    await page.getByTestId('deliveries-table').waitFor();
    await page.getByTestId('explain-form').waitFor();
    await screenshot(page, '07-spotguides');
  });
});
