import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findConfigProblems } from './preflight';

async function writeConfig(dir: string, name: string, text: string) {
  const file = path.join(dir, name);
  await fs.writeFile(file, text);
  return file;
}

describe('findConfigProblems', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'preflight-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('in production, names the key of a secret whose variable is unset', async () => {
    const base = await writeConfig(
      dir,
      'base.yaml',
      'backend:\n  database:\n    client: better-sqlite3\n    connection: ":memory:"\n',
    );
    const prod = await writeConfig(
      dir,
      'prod.yaml',
      'auth:\n  session:\n    secret: ${SESSION_SECRET_FOR_TEST}\n',
    );
    const problems = await findConfigProblems({
      argv: ['node', 'index.ts', '--config', base, '--config', prod],
      env: { NODE_ENV: 'production' },
    });
    expect(problems).toEqual([
      `auth.session.secret: environment variable SESSION_SECRET_FOR_TEST is not set (asked for by ${prod})`,
    ]);
  });

  it('in development, leaves unset variables to Backstage', async () => {
    const base = await writeConfig(
      dir,
      'base.yaml',
      'backend:\n  database:\n    client: better-sqlite3\n    connection: ":memory:"\nintegrations:\n  github:\n    - host: github.com\n      token: ${UNSET_TOKEN_FOR_TEST}\n',
    );
    await expect(
      findConfigProblems({
        argv: ['node', 'index.ts', '--config', base],
        env: { NODE_ENV: 'development' },
      }),
    ).resolves.toEqual([]);
  });

  it('names backend.database.connection when PostgreSQL cannot be reached', async () => {
    const base = await writeConfig(
      dir,
      'base.yaml',
      // Port 1 on loopback: nothing listens there, the connection is refused.
      'backend:\n  database:\n    client: pg\n    connection:\n      host: 127.0.0.1\n      port: 1\n      user: postgres\n',
    );
    const problems = await findConfigProblems({
      argv: ['node', 'index.ts', '--config', base],
      env: { NODE_ENV: 'production' },
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^backend\.database\.connection: cannot reach PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED/,
    );
  });

  it('accepts a reachable PostgreSQL', async () => {
    const url =
      process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
      'postgresql://postgres@127.0.0.1:5432';
    const base = await writeConfig(
      dir,
      'base.yaml',
      `backend:\n  database:\n    client: pg\n    connection: ${url}\n`,
    );
    await expect(
      findConfigProblems({
        argv: ['node', 'index.ts', '--config', base],
        env: { NODE_ENV: 'production' },
      }),
    ).resolves.toEqual([]);
  });
});
