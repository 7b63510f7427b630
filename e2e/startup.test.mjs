// Start-up as an operator meets it: production mode on PostgreSQL, run without
// yarn (`npm run start:prod`), and a wrong config stopping it with one clear line.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { startPortal } from './lib/portal.mjs';
import { dropDatabases, productionEnv } from './lib/production.mjs';

describe('start-up', { timeout: 300_000 }, () => {
  const prefix = `portal_e2e_${randomBytes(4).toString('hex')}_`;
  after(async () => {
    await dropDatabases(prefix);
  });

  it('runs in production mode on PostgreSQL and becomes ready', async () => {
    const portal = await startPortal({
      command: 'start-production',
      config: `  database:\n    prefix: ${prefix}`,
      env: productionEnv(),
    });
    try {
      // The frontend is served by the backend.
      const index = await fetch(portal.url);
      assert.equal(index.status, 200);
      assert.match(await index.text(), /<div id="root">/);
      // Guest sign-in is refused outside development.
      const guest = await fetch(`${portal.url}/api/auth/guest/refresh`);
      assert.notEqual(guest.status, 200);
      // Our plugins are up and their state lives in PostgreSQL.
      const health = await fetch(`${portal.url}/api/pipeline-clusters/health`);
      assert.deepEqual(await health.json(), { status: 'ok', database: 'ok' });
    } finally {
      await portal.stop();
    }
    assert.ok(
      (await dropDatabases(prefix)) >= 3,
      'the plugins created their databases in PostgreSQL',
    );
  });

  it('stops with one line naming the key when a production secret is missing', async () => {
    const env = productionEnv();
    delete env.AUTH_GITHUB_CLIENT_SECRET;
    const portal = await startPortal({
      command: 'start-production',
      config: `  database:\n    prefix: ${prefix}`,
      env: { ...env, AUTH_GITHUB_CLIENT_SECRET: '' },
      waitForReady: false,
    });
    const { code } = await portal.exited;
    await portal.stop();
    assert.equal(code, 1);
    const errors = portal
      .output()
      .split('\n')
      .filter(l => /error/i.test(l));
    assert.deepEqual(errors, [
      `Configuration error: auth.providers.github.production.clientSecret: environment variable AUTH_GITHUB_CLIENT_SECRET is not set (asked for by ${portal.repoConfig})`,
    ]);
  });

  it('stops with one line naming the key when the database is unreachable', async () => {
    const portal = await startPortal({
      command: 'start-production',
      config: `  database:\n    prefix: ${prefix}`,
      // Port 9 (discard) on loopback: nothing listens, the connection is refused.
      env: productionEnv({ POSTGRES_PORT: '9' }),
      waitForReady: false,
    });
    const { code } = await portal.exited;
    await portal.stop();
    assert.equal(code, 1);
    const errors = portal
      .output()
      .split('\n')
      .filter(l => /error/i.test(l));
    assert.equal(errors.length, 1, portal.output());
    assert.match(
      errors[0],
      /^Configuration error: backend\.database\.connection: cannot reach PostgreSQL at 127\.0\.0\.1:9 \(ECONNREFUSED/,
    );
    assert.doesNotMatch(portal.output(), /\n\s+at /, 'no stack trace');
  });
});
