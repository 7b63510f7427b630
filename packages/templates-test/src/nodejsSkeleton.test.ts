import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, renderSkeleton } from './render';

jest.setTimeout(120_000);

const ROOT = REPO_ROOT;

/** Runs an npm script of the rendered skeleton with this Node first on PATH. */
function run(dir: string, command: string, args: string[]) {
  // A test runner's own context variable would make node --test skip files.
  const { NODE_TEST_CONTEXT: _ignored, ...env } = process.env;
  return new Promise<{ code: number; output: string }>(resolve => {
    execFile(
      command,
      args,
      {
        cwd: dir,
        env: {
          ...env,
          PATH: `${path.dirname(process.execPath)}${path.delimiter}${env.PATH}`,
          FORCE_COLOR: '0',
        },
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number(error.code ?? 1) : 0,
          output: `${stdout}\n${stderr}`,
        }),
    );
  });
}

const npm = (dir: string, script: string) => run(dir, 'npm', ['run', script]);

/** Starts the compiled service on a free port and asks its probe. */
const PROBE = `
import { createApp } from './dist/app.js';
const server = createApp().listen(0, '127.0.0.1', async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/healthz');
  console.log('probe', res.status, await res.text());
  server.close();
});
`;

/*
 * The skeleton's own checks, as its pipelines run them: `npm run lint` (tsc)
 * and `npm test` (node --test). Its dependencies (typescript, @types/node,
 * express) are the portal's own installed copies, linked in, so the suite
 * installs nothing.
 */
describe.each([['http'], ['express']])(
  'the Node.js skeleton with framework %s',
  framework => {
    let dir: string;

    beforeAll(async () => {
      // The skeleton runs TypeScript as is: Node 22.18 or later (the portal's
      // pinned toolchain); say so rather than fail obscurely on an older one.
      const [major, minor] = process.versions.node.split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 18)) {
        throw new Error(
          `Node ${process.version} runs this suite; the skeleton needs 22.18 or later (source scripts/lib/toolchain.sh; ensure_node)`,
        );
      }
      dir = await renderSkeleton('nodejs-service', {
        name: `orders-${framework}`,
        description: 'Takes orders',
        owner: 'group:default/payments',
        repoUrl: 'github.com?owner=payments&repo=orders',
        cluster: 'payments-prod',
        namespace: 'payments',
        framework,
      });
      await fs.symlink(
        path.join(ROOT, 'node_modules'),
        path.join(dir, 'node_modules'),
        'dir',
      );
    });
    afterAll(async () => {
      if (dir) await fs.rm(dir, { recursive: true, force: true });
    });

    it('renders a package.json that parses, with the dependencies of the framework', async () => {
      const pkg = JSON.parse(
        await fs.readFile(path.join(dir, 'package.json'), 'utf8'),
      );
      expect(pkg.name).toBe(`orders-${framework}`);
      expect(pkg.description).toBe('Takes orders');
      expect(Object.keys(pkg.dependencies ?? {})).toEqual(
        framework === 'express' ? ['express'] : [],
      );
      const app = await fs.readFile(path.join(dir, 'src/app.ts'), 'utf8');
      expect(app).toContain(`export const SERVICE = 'orders-${framework}';`);
      expect(app).not.toContain('{%');
    });

    it('type-checks (npm run lint)', async () => {
      const { code, output } = await npm(dir, 'lint');
      expect({ code, output }).toMatchObject({ code: 0 });
    });

    it('passes its own tests (npm test)', async () => {
      const { code, output } = await npm(dir, 'test');
      expect(output).toMatch(/# pass 3\b/);
      expect(output).toMatch(/# fail 0\b/);
      expect(code).toBe(0);
    });

    it('builds to dist/ and the built service answers', async () => {
      const { code, output } = await npm(dir, 'build');
      expect({ code, output }).toMatchObject({ code: 0 });
      const probe = await run(dir, process.execPath, [
        '--input-type=module',
        '-e',
        PROBE,
      ]);
      expect(probe).toMatchObject({ code: 0 });
      expect(probe.output).toContain('probe 200 ok');
    });
  },
);
