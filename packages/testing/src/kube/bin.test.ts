import { spawn } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

const BIN = resolve(__dirname, '../../bin/kube-api.js');

describe('kube double: standalone bin', () => {
  it('prints url/token/caData/kubeconfig, serves, and cleans up on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        '--port',
        '0',
        '--crds',
        join(__dirname, '../../../../../shared/crds/source.toolkit.fluxcd.io'),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', d => (stderr += d));
    try {
      const line = await new Promise<string>((res, rej) => {
        createInterface({ input: child.stdout }).once('line', res);
        child.once('exit', code => rej(new Error(`exited ${code}: ${stderr}`)));
      });
      const info = JSON.parse(line);
      expect(info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(Buffer.from(info.caData, 'base64').toString()).toContain(
        'BEGIN CERTIFICATE',
      );
      expect(readFileSync(info.kubeconfig, 'utf8')).toContain(info.token);

      const kc = new KubeConfig();
      kc.loadFromFile(info.kubeconfig);
      const core = kc.makeApiClient(CoreV1Api);
      expect((await core.listNamespace()).items.length).toBeGreaterThanOrEqual(
        4,
      );
      // The CA is private: a client without it must fail TLS verification.
      const tlsError = await new Promise<string>(r => {
        const req = httpsRequest(`${info.url}/healthz`, { agent: false }, () =>
          r('no error'),
        );
        req.on('error', e => r(String((e as { code?: string }).code)));
        req.end();
      });
      expect(tlsError).toMatch(/CERT|SIGNATURE/);

      const exited = new Promise<number | null>(r =>
        child.once('exit', code => r(code)),
      );
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(info.kubeconfig)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
