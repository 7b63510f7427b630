// Production mode for tests: every variable app-config.production.yaml asks
// for, and the PostgreSQL databases a run leaves behind.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const postgresUrl =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';
const { hostname, port, username, password } = new URL(postgresUrl);

/** Every variable app-config.production.yaml asks for, with test values. */
export function productionEnv(overrides = {}) {
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

export async function dropDatabases(prefix) {
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
