import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  KubeApi,
  SERVER_VERSION,
  startKubeApi,
} from '@pipeline-portal/testing';
import { generateKeyPairSync } from 'node:crypto';
import { createServer as createHttpsServer, Server } from 'node:https';
import { AddressInfo, createServer as createTcpServer, Socket } from 'node:net';
import { generate } from 'selfsigned';
import { parse, stringify } from 'yaml';
import {
  acceptKubeconfig,
  AcceptKubeconfigDeps,
  KubeconfigPolicy,
  MAX_KUBECONFIG_BYTES,
  readKubeconfigPolicy,
  VersionProbe,
} from './acceptKubeconfig';

jest.setTimeout(30_000);

const TOKEN = 'kube-s3cr3t-token-0123456789abcdef';
const CERT_DATA = Buffer.from(
  '-----BEGIN CERTIFICATE-----\nMIIBclientcertificate\n-----END CERTIFICATE-----\n',
).toString('base64');
const KEY_DATA = Buffer.from(
  '-----BEGIN PRIVATE KEY-----\nMIIEsecretclientkeymaterial\n-----END PRIVATE KEY-----\n',
).toString('base64');
const SECRETS = [TOKEN, CERT_DATA, KEY_DATA, 'MIIEsecretclientkeymaterial'];

const PUBLIC_ADDRESS = '93.184.216.34';
const strict: KubeconfigPolicy = { allowedCidrs: [], probeTimeoutMs: 5000 };
const loopbackAllowed: KubeconfigPolicy = {
  allowedCidrs: ['127.0.0.0/8'],
  probeTimeoutMs: 5000,
};

type Obj = Record<string, any>;

/** A kubeconfig with one context; parts override the defaults. */
const kubeconfig = (
  parts: { cluster?: Obj; user?: Obj; doc?: Obj } = {},
): string =>
  stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'prod',
        cluster: { server: 'https://kube.example.com:6443', ...parts.cluster },
      },
    ],
    users: [{ name: 'admin', user: { token: TOKEN, ...parts.user } }],
    contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'admin' } }],
    'current-context': 'prod',
    ...parts.doc,
  });

/** Network stubs: the name resolves to a public address, the probe succeeds. */
const offline = (): AcceptKubeconfigDeps & {
  probes: VersionProbe[];
} => {
  const probes: VersionProbe[] = [];
  return {
    probes,
    lookup: async () => [{ address: PUBLIC_ADDRESS, family: 4 }],
    fetchVersion: async probe => {
      probes.push(probe);
      return { major: '1', minor: '32', gitVersion: 'v1.32.4' };
    },
  };
};

/** The InputError message of a refusal; it must never carry a secret. */
const refusal = async (
  text: string,
  policy: KubeconfigPolicy = strict,
  deps: AcceptKubeconfigDeps = offline(),
): Promise<string> => {
  let error: unknown;
  try {
    await acceptKubeconfig(text, policy, deps);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InputError);
  const message = (error as Error).message;
  for (const secret of SECRETS) expect(message).not.toContain(secret);
  expect(JSON.stringify(error)).not.toContain(TOKEN);
  return message;
};

describe('acceptKubeconfig', () => {
  describe('refuses unsafe content, naming the field', () => {
    it.each([
      [
        'an exec plugin',
        { user: { exec: { command: 'aws', apiVersion: 'v1' } } },
        'users[0].user.exec: exec credential plugins are not allowed',
      ],
      [
        'an auth-provider plugin',
        { user: { 'auth-provider': { name: 'gcp', config: {} } } },
        'users[0].user.auth-provider: auth-provider plugins are not allowed',
      ],
      [
        'tokenFile',
        { user: { tokenFile: '/var/run/secrets/token' } },
        'users[0].user.tokenFile: file paths are not allowed',
      ],
      [
        'client-certificate',
        { user: { 'client-certificate': '/etc/ssl/client.crt' } },
        'users[0].user.client-certificate: file paths are not allowed',
      ],
      [
        'client-key',
        { user: { 'client-key': '/etc/ssl/client.key' } },
        'users[0].user.client-key: file paths are not allowed',
      ],
      [
        'certificate-authority',
        { cluster: { 'certificate-authority': '/etc/ssl/ca.crt' } },
        'clusters[0].cluster.certificate-authority: file paths are not allowed',
      ],
      [
        'another path-valued field',
        { user: { 'password-file': '/etc/shadow' } },
        'users[0].user.password-file: file paths are not allowed',
      ],
      [
        'insecure-skip-tls-verify',
        { cluster: { 'insecure-skip-tls-verify': true } },
        'clusters[0].cluster.insecure-skip-tls-verify: TLS verification cannot be disabled',
      ],
      [
        'a proxy',
        { cluster: { 'proxy-url': 'http://10.0.0.1:3128' } },
        'clusters[0].cluster.proxy-url: proxies are not allowed',
      ],
      [
        'a plain http server',
        { cluster: { server: 'http://kube.example.com' } },
        'clusters[0].cluster.server: must be an https:// URL',
      ],
      [
        'a missing server',
        { cluster: { server: undefined } },
        'clusters[0].cluster.server: is required',
      ],
      [
        'missing credentials',
        { user: { token: undefined } },
        'users[0].user: has no credentials',
      ],
      [
        'half a client certificate pair',
        { user: { token: undefined, 'client-certificate-data': CERT_DATA } },
        'users[0].user.client-key-data: is required with client-certificate-data',
      ],
      [
        'a client key that is not PEM',
        {
          user: {
            'client-certificate-data': CERT_DATA,
            'client-key-data':
              Buffer.from('plain-key-s3cr3t').toString('base64'),
          },
        },
        'users[0].user.client-key-data: must be base64-encoded PEM private key',
      ],
    ])('%s', async (_what, parts, expected) => {
      const deps = offline();
      const message = await refusal(kubeconfig(parts), strict, deps);
      expect(message.startsWith(expected)).toBe(true);
      // Refused before any network access.
      expect(deps.probes).toHaveLength(0);
    });

    it('refuses an exec plugin in an unused user too', async () => {
      const text = kubeconfig({
        doc: {
          users: [
            { name: 'admin', user: { token: TOKEN } },
            { name: 'other', user: { exec: { command: 'sh' } } },
          ],
        },
      });
      expect(await refusal(text)).toBe(
        'users[1].user.exec: exec credential plugins are not allowed',
      );
    });

    it('does not quote the offending line of invalid YAML', async () => {
      const message = await refusal(
        `users:\n- name: a\n  user: {token: ${TOKEN}, : :\n`,
      );
      expect(message).toMatch(
        /^kubeconfig: is not valid YAML or JSON \(line \d+, column \d+\)$/,
      );
    });
    it('refuses an oversized kubeconfig before parsing it, whatever the caller', async () => {
      const deps = offline();
      // Valid YAML: only its size is wrong.
      const padding = `# ${'x'.repeat(1024)}\n`.repeat(
        MAX_KUBECONFIG_BYTES / 1024,
      );
      const text = `${kubeconfig()}${padding}`;
      const message = await refusal(text, strict, deps);
      expect(message).toBe(
        `kubeconfig: is ${Buffer.byteLength(
          text,
        )} bytes, more than the 256 KiB allowed`,
      );
      expect(deps.probes).toHaveLength(0);
      // Just below the cap, the same file is read and accepted.
      const fits = `${kubeconfig()}# ${'x'.repeat(
        MAX_KUBECONFIG_BYTES - Buffer.byteLength(kubeconfig()) - 3,
      )}\n`;
      expect(Buffer.byteLength(fits)).toBe(MAX_KUBECONFIG_BYTES);
      await expect(
        acceptKubeconfig(fits, strict, offline()),
      ).resolves.toMatchObject({ context: 'prod' });
    });
  });

  describe('contexts', () => {
    it('refuses a kubeconfig without contexts', async () => {
      expect(
        await refusal(
          kubeconfig({ doc: { contexts: [], 'current-context': '' } }),
        ),
      ).toBe('contexts: no context is defined');
    });

    it('refuses several contexts without current-context', async () => {
      const contexts = [
        { name: 'a', context: { cluster: 'prod', user: 'admin' } },
        { name: 'b', context: { cluster: 'prod', user: 'admin' } },
      ];
      expect(
        await refusal(
          kubeconfig({ doc: { contexts, 'current-context': null } }),
        ),
      ).toBe(
        'current-context: is required when the kubeconfig defines several contexts',
      );
    });

    it('refuses an undefined current-context and duplicate names', async () => {
      expect(
        await refusal(kubeconfig({ doc: { 'current-context': 'staging' } })),
      ).toBe('current-context: "staging" is not defined in contexts');
      const twice = {
        name: 'prod',
        context: { cluster: 'prod', user: 'admin' },
      };
      expect(
        await refusal(kubeconfig({ doc: { contexts: [twice, twice] } })),
      ).toBe('contexts[1].name: "prod" is defined more than once');
    });

    it('uses the only context when current-context is absent', async () => {
      const deps = offline();
      const accepted = await acceptKubeconfig(
        kubeconfig({ doc: { 'current-context': undefined } }),
        strict,
        deps,
      );
      expect(accepted.context).toBe('prod');
    });
  });

  describe('addresses', () => {
    it.each([
      ['127.0.0.1', 'a loopback'],
      ['127.8.9.10', 'a loopback'],
      ['[::1]', 'a loopback'],
      ['[::ffff:127.0.0.1]', 'a loopback'],
      ['0.0.0.0', 'an unspecified'],
      ['[::]', 'an unspecified'],
      ['169.254.169.254', 'a link-local'],
      ['[fe80::1]', 'a link-local'],
      ['[fd00:ec2::254]', 'a private (unique local)'],
      ['[fc00::5]', 'a private (unique local)'],
      ['10.1.2.3', 'a private'],
      ['172.16.0.1', 'a private'],
      ['172.31.255.254', 'a private'],
      ['192.168.1.1', 'a private'],
      ['100.64.0.1', 'a carrier-grade NAT'],
      // Written as a decimal integer, normalized by the URL parser.
      ['2130706433', 'a loopback'],
    ])('refuses %s as %s address', async (host, what) => {
      const message = await refusal(
        kubeconfig({ cluster: { server: `https://${host}:6443` } }),
      );
      expect(message).toMatch(
        new RegExp(
          `^clusters\\[0\\]\\.cluster\\.server: \\S+ is ${what.replace(
            /[()]/g,
            '\\$&',
          )} address, which is not allowed for an API server`,
        ),
      );
    });

    it('refuses a name resolving to a private address', async () => {
      const deps = offline();
      deps.lookup = async () => [{ address: '10.20.30.40', family: 4 }];
      expect(await refusal(kubeconfig(), strict, deps)).toMatch(
        /^clusters\[0\]\.cluster\.server: host kube\.example\.com resolves to 10\.20\.30\.40, a private address/,
      );
      expect(deps.probes).toHaveLength(0);
    });

    it('refuses a name when any of its addresses is internal', async () => {
      const deps = offline();
      deps.lookup = async () => [
        { address: PUBLIC_ADDRESS, family: 4 },
        { address: 'fd00:ec2::254', family: 6 },
      ];
      expect(await refusal(kubeconfig(), strict, deps)).toMatch(
        /resolves to fd00:ec2::254, a private \(unique local\) address/,
      );
    });

    it('allows an internal range an admin allowed', async () => {
      const deps = offline();
      deps.lookup = async () => [{ address: '10.20.30.40', family: 4 }];
      const accepted = await acceptKubeconfig(
        kubeconfig(),
        { allowedCidrs: ['10.20.0.0/16'], probeTimeoutMs: 5000 },
        deps,
      );
      expect(accepted.server).toBe('https://kube.example.com:6443');
      expect(deps.probes[0]).toMatchObject({
        address: '10.20.30.40',
        verifyName: 'kube.example.com',
      });
    });

    it('probes the validated address with the original name for TLS', async () => {
      const deps = offline();
      const accepted = await acceptKubeconfig(
        kubeconfig({
          user: {
            token: undefined,
            'client-certificate-data': CERT_DATA,
            'client-key-data': KEY_DATA,
          },
        }),
        strict,
        deps,
      );
      expect(deps.probes).toHaveLength(1);
      expect(deps.probes[0]).toMatchObject({
        address: PUBLIC_ADDRESS,
        family: 4,
        verifyName: 'kube.example.com',
        field: 'clusters[0].cluster.server',
        timeoutMs: 5000,
      });
      expect(deps.probes[0].cert).toContain('BEGIN CERTIFICATE');
      expect(accepted).toEqual({
        server: 'https://kube.example.com:6443',
        user: { clientCertificateData: CERT_DATA, clientKeyData: KEY_DATA },
        context: 'prod',
        version: { major: '1', minor: '32', gitVersion: 'v1.32.4' },
      });
    });

    it('reports a name that does not resolve by its error code', async () => {
      const deps = offline();
      deps.lookup = async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), {
          code: 'ENOTFOUND',
        });
      };
      expect(await refusal(kubeconfig(), strict, deps)).toBe(
        'clusters[0].cluster.server: host kube.example.com does not resolve (ENOTFOUND)',
      );
    });
  });

  describe('against the Kubernetes API double', () => {
    let api: KubeApi;
    let other: { cert: string; key: string };
    const doubleConfig = (parts: { cluster?: Obj; user?: Obj } = {}) =>
      kubeconfig({
        cluster: {
          server: api.url,
          'certificate-authority-data': api.caData,
          ...parts.cluster,
        },
        user: { token: api.token, ...parts.user },
      });
    const versionRequests = () =>
      api.requests.count(r => r.path === '/version');

    beforeAll(async () => {
      api = await startKubeApi({ token: TOKEN });
      // A second, unrelated CA: its self-signed certificate for 127.0.0.1.
      const { privateKey, publicKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      const pems = generate([{ name: 'commonName', value: '127.0.0.1' }], {
        days: 1,
        algorithm: 'sha256',
        keyPair: { privateKey, publicKey },
        extensions: [
          { name: 'basicConstraints', cA: true },
          { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
        ],
      } as Parameters<typeof generate>[1]);
      other = { cert: pems.cert, key: privateKey };
    });
    afterAll(() => api.close());

    it('accepts a valid kubeconfig when loopback is allowed', async () => {
      const accepted = await acceptKubeconfig(doubleConfig(), loopbackAllowed);
      expect(accepted).toEqual({
        server: api.url,
        caData: api.caData,
        user: { token: TOKEN },
        context: 'prod',
        version: {
          major: SERVER_VERSION.major,
          minor: SERVER_VERSION.minor,
          gitVersion: SERVER_VERSION.gitVersion,
        },
      });
      // JSON is accepted as well.
      const json = JSON.stringify(parse(doubleConfig()));
      await expect(
        acceptKubeconfig(json, loopbackAllowed),
      ).resolves.toMatchObject({ context: 'prod' });
    });

    it('refuses the same kubeconfig as loopback without the allowance', async () => {
      const before = versionRequests();
      expect(await refusal(doubleConfig(), strict, {})).toMatch(
        /^clusters\[0\]\.cluster\.server: 127\.0\.0\.1 is a loopback address/,
      );
      expect(versionRequests()).toBe(before);
    });

    it('connects to the pinned address, never resolving again', async () => {
      const lookup = jest.fn(async () => [{ address: '127.0.0.1', family: 4 }]);
      const accepted = await acceptKubeconfig(
        doubleConfig({ cluster: { server: `https://localhost:${api.port}` } }),
        loopbackAllowed,
        { lookup },
      );
      expect(accepted.version.gitVersion).toBe(SERVER_VERSION.gitVersion);
      expect(lookup).toHaveBeenCalledTimes(1);
      expect(lookup).toHaveBeenCalledWith('localhost');
    });

    it('refuses a certificate that does not match the name', async () => {
      // The double's certificate has no SAN for this name: pinning to
      // 127.0.0.1 must not weaken the name check.
      const message = await refusal(
        doubleConfig({
          cluster: { server: `https://kube.example.com:${api.port}` },
        }),
        loopbackAllowed,
        { lookup: async () => [{ address: '127.0.0.1', family: 4 }] },
      );
      expect(message).toBe(
        'clusters[0].cluster.server: the API server did not answer /version (ERR_TLS_CERT_ALTNAME_INVALID)',
      );
    });

    it('refuses a wrong CA with the TLS error', async () => {
      const message = await refusal(
        doubleConfig({
          cluster: {
            'certificate-authority-data': Buffer.from(other.cert).toString(
              'base64',
            ),
          },
        }),
        loopbackAllowed,
        {},
      );
      expect(message).toMatch(
        /^clusters\[0\]\.cluster\.server: the API server did not answer \/version \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)$/,
      );
    });

    it('refuses the double without its CA (system CAs do not trust it)', async () => {
      const message = await refusal(
        doubleConfig({ cluster: { 'certificate-authority-data': undefined } }),
        loopbackAllowed,
        {},
      );
      expect(message).toMatch(/did not answer \/version \([A-Z_]+\)$/);
    });

    it('refuses a bad token with the status code', async () => {
      const wrong = 'wrong-s3cr3t-token-value';
      let message = '';
      try {
        await acceptKubeconfig(
          doubleConfig({ user: { token: wrong } }),
          loopbackAllowed,
        );
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toBe(
        'clusters[0].cluster.server: the API server did not answer /version (HTTP 401)',
      );
      expect(message).not.toContain(wrong);
    });

    describe('with a redirecting server', () => {
      let server: Server;
      let hits = 0;
      beforeAll(async () => {
        server = createHttpsServer(
          { cert: other.cert, key: other.key },
          (_req, res) => {
            hits += 1;
            res.writeHead(302, { location: `${api.url}/version` });
            res.end();
          },
        );
        await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
      });
      afterAll(() => new Promise<void>(r => server.close(() => r())));

      it('refuses the redirect without following it', async () => {
        const before = versionRequests();
        const { port } = server.address() as AddressInfo;
        const message = await refusal(
          doubleConfig({
            cluster: {
              server: `https://127.0.0.1:${port}`,
              'certificate-authority-data': Buffer.from(other.cert).toString(
                'base64',
              ),
            },
          }),
          loopbackAllowed,
          {},
        );
        expect(message).toBe(
          'clusters[0].cluster.server: the API server answered /version with a redirect (HTTP 302); redirects are not followed',
        );
        expect(hits).toBe(1);
        expect(versionRequests()).toBe(before);
      });
    });

    it('gives up on a server that never answers', async () => {
      const sockets: Socket[] = [];
      const silent = createTcpServer(socket => sockets.push(socket));
      await new Promise<void>(r => silent.listen(0, '127.0.0.1', r));
      const { port } = silent.address() as AddressInfo;
      try {
        const message = await refusal(
          doubleConfig({ cluster: { server: `https://127.0.0.1:${port}` } }),
          { allowedCidrs: ['127.0.0.1/32'], probeTimeoutMs: 200 },
          {},
        );
        expect(message).toBe(
          'clusters[0].cluster.server: the API server did not answer /version (no answer within 200 ms)',
        );
      } finally {
        sockets.forEach(s => s.destroy());
        await new Promise<void>(r => silent.close(() => r()));
      }
    });
  });
});

describe('readKubeconfigPolicy', () => {
  it('defaults to no allowed ranges and a 5 s probe', () => {
    expect(readKubeconfigPolicy(new ConfigReader({}))).toEqual({
      allowedCidrs: [],
      probeTimeoutMs: 5000,
    });
  });

  it('names an invalid CIDR', () => {
    expect(() =>
      readKubeconfigPolicy(
        new ConfigReader({
          pipelinePortal: {
            clusters: { import: { allowedCidrs: ['10.0.0.0/8', '10.0.0.0'] } },
          },
        }),
      ),
    ).toThrow(
      'pipelinePortal.clusters.import.allowedCidrs[1] must be a CIDR such as 10.0.0.0/8 or fd00::/8',
    );
  });
});
