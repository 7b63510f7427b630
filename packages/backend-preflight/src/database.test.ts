import { ConfigReader } from '@backstage/config';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkDatabase } from './database';

describe('checkDatabase', () => {
  it('creates the SQLite directory when it can', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'preflight-db-'));
    const config = new ConfigReader({
      backend: {
        database: {
          client: 'better-sqlite3',
          connection: { directory: 'nested/sqlite' },
        },
      },
    });
    await expect(checkDatabase(config, { cwd: dir })).resolves.toBeUndefined();
    await expect(
      fs.stat(path.join(dir, 'nested/sqlite')),
    ).resolves.toBeTruthy();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('names the directory key when SQLite cannot create its directory', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'preflight-db-'));
    await fs.writeFile(path.join(dir, 'file'), 'not a directory');
    const config = new ConfigReader({
      backend: {
        database: {
          client: 'better-sqlite3',
          connection: { directory: 'file/sqlite' },
        },
      },
    });
    await expect(checkDatabase(config, { cwd: dir })).resolves.toMatch(
      /^backend\.database\.connection\.directory: cannot create file\/sqlite/,
    );
    await fs.rm(dir, { recursive: true, force: true });
  });
});
