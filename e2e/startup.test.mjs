// Start-up as an operator meets it: production mode on PostgreSQL, run without
// yarn (`npm run start:prod`), and a wrong config stopping it with one clear line.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { startPortal } from './lib/portal.mjs';

const postgresUrl =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';
const { hostname, port, username, password } = new URL(postgresUrl);

/** Every variable app-config.production.yaml asks for, with test values. */
function productionEnv(overrides = {}) {
  return {
    PORTAL_BASE_URL: 'http://localhost:7007',
    POSTGRES_HOST: hostname,
    POSTGRES_PORT: port || '5432',
    POSTGRES_USER: decodeURIComponent(username) || 'postgres',
    POSTGRES_PASSWORD: decodeURIComponent(password) || 'unused-with-trust-auth',
    AUTH_SESSION_SECRET: randomBytes(16).toString('hex'),
    PIPELINE_PORTAL_SECRETS_KEY: randomBytes(32).toString('base64'),
    GITHUB_TOKEN: 'test-token',
    GITHUB_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
    AUTH_GITHUB_CLIENT_ID: 'test-client',
    AUTH_GITHUB_CLIENT_SECRET: 'test-secret',
    AUTH_OIDC_METADATA_URL:
      'http://127.0.0.1:9/.well-known/openid-configuration',
    AUTH_OIDC_CLIENT_ID: 'test-client',
    AUTH_OIDC_CLIENT_SECRET: 'test-secret',
    ...overrides,
  };
}

async function dropDatabases(prefix) {
  const client = new pg.Client({
    connectionString: postgresUrl,
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    return rows.length;
  } finally {
    await client.end();
  }
}

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
