import { ConfigReader } from '@backstage/config';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { acquirePostgresStartupLock, claimSqliteDirectory } from './startup';
import { describeStartupFailure, startBackend } from './preflight';

const postgresUrl =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';

function postgresConfig(prefix: string) {
  return new ConfigReader({
    backend: {
      database: { client: 'pg', connection: postgresUrl, prefix },
    },
  });
}

describe('acquirePostgresStartupLock', () => {
  it('lets one replica start at a time: the second waits until the first releases', async () => {
    const config = postgresConfig(`lock_${randomBytes(4).toString('hex')}_`);
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const first = await acquirePostgresStartupLock(config, {
      deadline: Date.now() + 10_000,
      log,
    });
    let secondHeld = false;
    const second = acquirePostgresStartupLock(config, {
      deadline: Date.now() + 10_000,
      log,
    }).then(lock => {
      secondHeld = true;
      return lock;
    });
    await new Promise(r => setTimeout(r, 300));
    expect(secondHeld).toBe(false);
    expect(lines).toEqual([
      'Start-up: another replica is starting on this database; waiting for it to finish its migrations',
    ]);
    await first.release();
    const lock = await second;
    expect(secondHeld).toBe(true);
    await lock.release();
  });

  it('does not make portals with another database prefix wait', async () => {
    const a = await acquirePostgresStartupLock(
      postgresConfig(`a_${randomBytes(4).toString('hex')}_`),
      { deadline: Date.now() + 1000, log: () => {} },
    );
    const b = await acquirePostgresStartupLock(
      postgresConfig(`b_${randomBytes(4).toString('hex')}_`),
      { deadline: Date.now() + 1000, log: () => {} },
    );
    await Promise.all([a.release(), b.release()]);
  });

  it('gives up at the deadline with a sentence saying why', async () => {
    const config = postgresConfig(`lock_${randomBytes(4).toString('hex')}_`);
    const held = await acquirePostgresStartupLock(config, {
      deadline: Date.now() + 1000,
      log: () => {},
    });
    try {
      await expect(
        acquirePostgresStartupLock(config, {
          deadline: Date.now() + 200,
          log: () => {},
        }),
      ).rejects.toThrow(
        'another replica held the start-up lock until the start-up budget ran out',
      );
    } finally {
      await held.release();
    }
  });
});

describe('claimSqliteDirectory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'preflight-sqlite-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('refuses a second process on the same files, naming the first', async () => {
    const other = spawn('sleep', ['30']);
    try {
      claimSqliteDirectory(dir, other.pid!);
      expect(() => claimSqliteDirectory(dir)).toThrow(
        `backend.database.connection.directory: SQLite serves one process, and process ${other.pid} already uses ${dir}; run several replicas on PostgreSQL`,
      );
    } finally {
      other.kill();
    }
  });

  it('takes over the claim of a process that no longer runs', async () => {
    const gone = spawn('true');
    await new Promise(r => gone.once('exit', r));
    await fs.writeFile(path.join(dir, '.portal.pid'), String(gone.pid));
    claimSqliteDirectory(dir);
    await expect(
      fs.readFile(path.join(dir, '.portal.pid'), 'utf8'),
    ).resolves.toBe(String(process.pid));
  });
});

describe('describeStartupFailure', () => {
  it("keeps the failed plugin and the cause's first line", () => {
    const error = new Error(
      [
        'Backend startup failed due to the following errors:',
        "  Plugin 'spotguides' startup failed; caused by Error: Invalid type in config for key 'pipelinePortal.spotguides.leaseSeconds'",
        "  Module 'github' for plugin 'events' startup failed; caused by Error: boom",
      ].join('\n'),
    );
    expect(describeStartupFailure(error)).toBe(
      "plugin 'spotguides': Error: Invalid type in config for key 'pipelinePortal.spotguides.leaseSeconds'; module 'github' of plugin 'events': Error: boom",
    );
  });

  it('falls back to the first line of any other error', () => {
    expect(describeStartupFailure(new Error('EADDRINUSE\n    at x'))).toBe(
      'EADDRINUSE',
    );
  });
});

describe('startBackend', () => {
  const exited = () => {
    const calls: number[] = [];
    const exit = ((code: number) => {
      calls.push(code);
    }) as (code: number) => never;
    return { calls, exit };
  };

  it('exits 1 with one line when a plugin fails to start', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'preflight-start-'));
    const config = path.join(dir, 'app-config.yaml');
    await fs.writeFile(
      config,
      `backend:\n  database:\n    client: better-sqlite3\n    connection:\n      directory: ${dir}/sqlite\n`,
    );
    const lines: string[] = [];
    const { calls, exit } = exited();
    await startBackend(
      {
        start: async () => {
          throw new Error(
            "Backend startup failed due to the following errors:\n  Plugin 'catalog' startup failed; caused by Error: no database",
          );
        },
      },
      {
        argv: ['node', 'index.ts', '--config', config],
        env: {},
        exit,
        write: line => lines.push(line),
      },
    );
    expect(calls).toEqual([1]);
    expect(lines).toEqual([
      "Start-up failed: plugin 'catalog': Error: no database",
    ]);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('starts the backend holding the start-up lock, and releases it after', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'preflight-start-'));
    const config = path.join(dir, 'app-config.yaml');
    const prefix = `start_${randomBytes(4).toString('hex')}_`;
    await fs.writeFile(
      config,
      `backend:\n  database:\n    client: pg\n    connection: ${postgresUrl}\n    prefix: ${prefix}\n`,
    );
    const { calls, exit } = exited();
    let heldDuringStart = false;
    await startBackend(
      {
        start: async () => {
          // While this replica starts, another one cannot take the lock.
          await expect(
            acquirePostgresStartupLock(postgresConfig(prefix), {
              deadline: Date.now() + 100,
              log: () => {},
            }),
          ).rejects.toThrow(/start-up budget/);
          heldDuringStart = true;
        },
      },
      {
        argv: ['node', 'index.ts', '--config', config],
        env: {},
        exit,
        write: () => {},
      },
    );
    expect(heldDuringStart).toBe(true);
    expect(calls).toEqual([]);
    const after = await acquirePostgresStartupLock(postgresConfig(prefix), {
      deadline: Date.now() + 100,
      log: () => {},
    });
    await after.release();
    await fs.rm(dir, { recursive: true, force: true });
  });
});
