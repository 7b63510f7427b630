import { InputError } from '@backstage/errors';
import { ClientRequest } from 'node:http';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, PeerCertificate } from 'node:tls';

export interface KubeVersion {
  major: string;
  minor: string;
  gitVersion: string;
}

/** Everything the `/version` probe needs; the address is the one validated. */
export interface VersionProbe {
  /** The server URL, for the request path and Host header. */
  server: URL;
  /** The validated IP to connect to (never resolved again). */
  address: string;
  family: 4 | 6;
  /** Name the serving certificate must match. */
  verifyName: string;
  /** PEM CA bundle; the system CAs when absent. */
  ca?: string;
  cert?: string;
  key?: string;
  authorization?: string;
  timeoutMs: number;
  /** The field to name in refusals, e.g. `clusters[0].cluster.server`. */
  field: string;
}

const MAX_VERSION_BODY = 64 * 1024;

/**
 * GET /version over TLS to the validated address only: certificate checked
 * against `verifyName`, redirects refused, the whole exchange bounded by
 * the timeout.
 */
export function probeVersion(probe: VersionProbe): Promise<KubeVersion> {
  const failed = (why: string) =>
    new InputError(
      `${probe.field}: the API server did not answer /version (${why})`,
    );
  const basePath = probe.server.pathname.replace(/\/+$/, '');
  return new Promise<KubeVersion>((resolve, reject) => {
    let settled = false;
    // Set once created below; `finish` may run before either exists.
    const pending: { req?: ClientRequest; deadline?: NodeJS.Timeout } = {};
    const finish = (error: Error | undefined, version?: KubeVersion) => {
      if (settled) return;
      settled = true;
      clearTimeout(pending.deadline);
      pending.req?.destroy();
      if (error) reject(error);
      else resolve(version!);
    };
    const req = request({
      host: probe.address,
      family: probe.family,
      port: probe.server.port || 443,
      path: `${basePath}/version`,
      method: 'GET',
      // SNI must be a name, never an IP (RFC 6066).
      servername: isIP(probe.verifyName) ? '' : probe.verifyName,
      headers: {
        host: probe.server.host,
        accept: 'application/json',
        ...(probe.authorization ? { authorization: probe.authorization } : {}),
      },
      ca: probe.ca,
      cert: probe.cert,
      key: probe.key,
      rejectUnauthorized: true,
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        checkServerIdentity(probe.verifyName, cert),
      agent: false,
    });
    pending.req = req;
    pending.deadline = setTimeout(
      () => finish(failed(`no answer within ${probe.timeoutMs} ms`)),
      probe.timeoutMs,
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish(failed(error.code ?? 'connection failed')),
    );
    req.on('response', res => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        finish(
          new InputError(
            `${probe.field}: the API server answered /version with a redirect (HTTP ${status}); redirects are not followed`,
          ),
        );
        return;
      }
      if (status !== 200) {
        finish(failed(`HTTP ${status}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_VERSION_BODY) finish(failed('answer too large'));
        else chunks.push(chunk);
      });
      res.on('error', () => finish(failed('answer interrupted')));
      res.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          const { major, minor, gitVersion } = body ?? {};
          if ([major, minor, gitVersion].every(v => typeof v === 'string')) {
            finish(undefined, { major, minor, gitVersion });
            return;
          }
        } catch {
          // fall through: not a version document
        }
        finish(failed('the answer is not a Kubernetes version'));
      });
    });
    req.end();
  });
}
