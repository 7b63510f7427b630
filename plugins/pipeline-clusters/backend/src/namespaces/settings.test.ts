import { ConfigReader } from '@backstage/config';
import { readClustersConfig } from '../config';
import { secretStoreConfig } from '../__testUtils__/fixtures';
import {
  DEFAULT_TEAM_NAMESPACE_SETTINGS,
  egressDestination,
  readTeamNamespaceSettings,
} from './settings';

const config = (namespaces: object) =>
  new ConfigReader({ pipelinePortal: { clusters: { namespaces } } });

describe('readTeamNamespaceSettings', () => {
  it('defaults to no extra egress, any registry, no load balancers, no guardians', () => {
    expect(readTeamNamespaceSettings(new ConfigReader({}))).toEqual(
      DEFAULT_TEAM_NAMESPACE_SETTINGS,
    );
    expect(readTeamNamespaceSettings(config({}))).toEqual(
      DEFAULT_TEAM_NAMESPACE_SETTINGS,
    );
    expect(DEFAULT_TEAM_NAMESPACE_SETTINGS).toEqual({
      egressAllow: [],
      allowedRegistries: [],
      allowLoadBalancerServices: false,
      guardianSubjects: [],
    });
  });

  it('reads the guardian subjects', () => {
    expect(
      readTeamNamespaceSettings(
        config({
          guardianSubjects: [
            {
              kind: 'ServiceAccount',
              name: 'pipeline-portal',
              namespace: 'backstage',
            },
            { kind: 'User', name: ' arn:aws:iam::123456789012:role/portal ' },
            { kind: 'Group', name: 'platform-admins' },
          ],
        }),
      ).guardianSubjects,
    ).toEqual([
      {
        kind: 'ServiceAccount',
        name: 'pipeline-portal',
        namespace: 'backstage',
      },
      { kind: 'User', name: 'arn:aws:iam::123456789012:role/portal' },
      { kind: 'Group', name: 'platform-admins' },
    ]);
  });

  it('reads egress destinations, registries and the load balancer switch', () => {
    expect(
      readTeamNamespaceSettings(
        config({
          egress: {
            allow: [
              { cidr: '0.0.0.0/0', ports: [{ port: 443 }, { port: 22 }] },
              {
                cidr: ' 10.20.0.0/16 ',
                ports: [{ port: 53, protocol: 'udp' }],
              },
              { cidr: '2001:db8::/32' },
            ],
          },
          allowedRegistries: ['ghcr.io/acme/', 'registry.example.com:5000'],
          allowLoadBalancerServices: true,
        }),
      ),
    ).toEqual({
      egressAllow: [
        {
          cidr: '0.0.0.0/0',
          except: ['169.254.169.254/32', '100.100.100.200/32'],
          ports: [
            { port: 443, protocol: 'TCP' },
            { port: 22, protocol: 'TCP' },
          ],
        },
        { cidr: '10.20.0.0/16', ports: [{ port: 53, protocol: 'UDP' }] },
        { cidr: '2001:db8::/32' },
      ],
      allowedRegistries: ['ghcr.io/acme', 'registry.example.com:5000'],
      allowLoadBalancerServices: true,
      guardianSubjects: [],
    });
  });

  it('cuts every metadata address out of a range that holds it', () => {
    expect(egressDestination('169.254.0.0/16', undefined, 'x')).toEqual({
      cidr: '169.254.0.0/16',
      except: ['169.254.169.254/32'],
    });
    expect(egressDestination('fd00::/8', undefined, 'x')).toEqual({
      cidr: 'fd00::/8',
      except: ['fd00:ec2::254/128'],
    });
    expect(egressDestination('100.100.100.0/24', undefined, 'x')).toEqual({
      cidr: '100.100.100.0/24',
      except: ['100.100.100.200/32'],
    });
    expect(egressDestination('169.254.169.0/25', undefined, 'x')).toEqual({
      cidr: '169.254.169.0/25',
    });
  });

  const KEY = 'pipelinePortal.clusters.namespaces';
  it.each([
    [
      'a metadata address itself',
      {
        egress: {
          allow: [{ cidr: '10.0.0.0/8' }, { cidr: '169.254.169.254/32' }],
        },
      },
      `${KEY}.egress.allow[1].cidr: "169.254.169.254/32" is the cloud metadata address 169.254.169.254/32, which team namespaces never reach`,
    ],
    [
      'the Alibaba metadata address',
      { egress: { allow: [{ cidr: '100.100.100.200/32' }] } },
      `${KEY}.egress.allow[0].cidr: "100.100.100.200/32" is the cloud metadata address 100.100.100.200/32`,
    ],
    [
      'the AWS IPv6 metadata address',
      { egress: { allow: [{ cidr: 'fd00:ec2::254/128' }] } },
      `${KEY}.egress.allow[0].cidr: "fd00:ec2::254/128" is the cloud metadata address`,
    ],
    [
      'a CIDR that is not one',
      { egress: { allow: [{ cidr: 'internet' }] } },
      `${KEY}.egress.allow[0].cidr: "internet" is not a CIDR such as 10.20.0.0/16`,
    ],
    [
      'an address without a prefix length',
      { egress: { allow: [{ cidr: '10.0.0.1' }] } },
      `${KEY}.egress.allow[0].cidr: "10.0.0.1" is not a CIDR`,
    ],
    [
      'host bits set',
      { egress: { allow: [{ cidr: '10.0.0.1/8' }] } },
      `${KEY}.egress.allow[0].cidr: "10.0.0.1/8" has host bits set: write 10.0.0.0/8`,
    ],
    [
      'a missing CIDR',
      { egress: { allow: [{ ports: [{ port: 443 }] }] } },
      `${KEY}.egress.allow[0].cidr: is required`,
    ],
    [
      'port 0',
      { egress: { allow: [{ cidr: '10.0.0.0/8', ports: [{ port: 0 }] }] } },
      `${KEY}.egress.allow[0].ports[0].port: must be a port number from 1 to 65535`,
    ],
    [
      'an unknown protocol',
      {
        egress: {
          allow: [
            { cidr: '10.0.0.0/8', ports: [{ port: 1, protocol: 'ICMP' }] },
          ],
        },
      },
      `${KEY}.egress.allow[0].ports[0].protocol: must be one of TCP, UDP, SCTP, not "ICMP"`,
    ],
    [
      'a registry pattern',
      { allowedRegistries: ['ghcr.io', '*.example.com'] },
      `${KEY}.allowedRegistries[1]: "*.example.com" is not a registry such as ghcr.io`,
    ],
    [
      'a guardian of an unknown kind',
      { guardianSubjects: [{ kind: 'Role', name: 'admin' }] },
      `${KEY}.guardianSubjects[0].kind: must be one of User, Group, ServiceAccount, not "Role"`,
    ],
    [
      'a guardian without a kind',
      { guardianSubjects: [{ name: 'portal' }] },
      `${KEY}.guardianSubjects[0].kind: must be one of User, Group, ServiceAccount`,
    ],
    [
      'a guardian without a name',
      {
        guardianSubjects: [
          { kind: 'Group', name: 'platform-admins' },
          { kind: 'User', name: ' ' },
        ],
      },
      `${KEY}.guardianSubjects[1].name: is required`,
    ],
    [
      'a wildcard guardian',
      { guardianSubjects: [{ kind: 'User', name: 'system:serviceaccount:*' }] },
      `${KEY}.guardianSubjects[0].name: "system:serviceaccount:*" may not hold * or ?`,
    ],
    [
      'a group every user is in',
      { guardianSubjects: [{ kind: 'Group', name: 'system:authenticated' }] },
      `${KEY}.guardianSubjects[0].name: "system:authenticated" holds every user or service account, team members and pipelines included`,
    ],
    [
      'the group of every service account',
      { guardianSubjects: [{ kind: 'Group', name: 'system:serviceaccounts' }] },
      `${KEY}.guardianSubjects[0].name: "system:serviceaccounts" holds every user or service account`,
    ],
    [
      'a service account without its namespace',
      { guardianSubjects: [{ kind: 'ServiceAccount', name: 'portal' }] },
      `${KEY}.guardianSubjects[0].namespace: a ServiceAccount needs its namespace (an RFC 1123 label)`,
    ],
    [
      'a service account in a namespace that cannot exist',
      {
        guardianSubjects: [
          { kind: 'ServiceAccount', name: 'portal', namespace: 'Back_Stage' },
        ],
      },
      `${KEY}.guardianSubjects[0].namespace: a ServiceAccount needs its namespace (an RFC 1123 label), not "Back_Stage"`,
    ],
    [
      'a service account name that cannot exist',
      {
        guardianSubjects: [
          {
            kind: 'ServiceAccount',
            name: 'system:serviceaccount:backstage:portal',
            namespace: 'backstage',
          },
        ],
      },
      `${KEY}.guardianSubjects[0].name: "system:serviceaccount:backstage:portal" is not a ServiceAccount name (an RFC 1123 subdomain)`,
    ],
    [
      'a namespace on a user',
      {
        guardianSubjects: [
          { kind: 'User', name: 'portal', namespace: 'backstage' },
        ],
      },
      `${KEY}.guardianSubjects[0].namespace: only a ServiceAccount has a namespace; write the full user name instead`,
    ],
    [
      'registries joined in one string',
      { allowedRegistries: ['ghcr.io | docker.io'] },
      `${KEY}.allowedRegistries[0]: "ghcr.io | docker.io" is not a registry`,
    ],
  ])(
    'stops the backend at start-up on %s, naming the key',
    (_what, namespaces, message) => {
      expect(() => readTeamNamespaceSettings(config(namespaces))).toThrow(
        message,
      );
      // Read with the rest of the plugin's config, when the backend starts.
      expect(() =>
        readClustersConfig(
          new ConfigReader({
            ...secretStoreConfig,
            pipelinePortal: { clusters: { namespaces } },
          }),
        ),
      ).toThrow(message);
    },
  );
});
