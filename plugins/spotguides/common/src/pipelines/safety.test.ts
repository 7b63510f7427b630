import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunContext } from '../triggerTypes';
import { deepFreeze } from '../util/memo';
import { renderPipelineRun } from './render';
import {
  checkRunSafety,
  RunSafetyOptions,
  withPipelineServiceAccount,
} from './safety';

const OPTIONS: RunSafetyOptions = {
  serviceAccount: 'pipeline',
  namespace: 'team-payments',
  allowedResolvers: {
    http: ['https://raw.githubusercontent.com/tektoncd/catalog/'],
    git: ['https://github.com/tektoncd/catalog'],
    bundles: ['ghcr.io/tektoncd/catalog/'],
    hub: ['tekton-catalog-tasks'],
  },
};

const check = (run: unknown, options: RunSafetyOptions = OPTIONS) =>
  checkRunSafety(run, options);

/** A minimal run that passes, with `spec` fields merged in. */
function runWith(spec: Record<string, unknown> = {}): Record<string, any> {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name: 'shop-ci-4f2a9c1-0123456789' },
    spec: {
      pipelineSpec: {
        tasks: [{ name: 'clone', taskRef: { name: 'git-clone' } }],
      },
      ...spec,
    },
  };
}

/** A run whose one pipeline task embeds `taskSpec`. */
const taskWith = (taskSpec: Record<string, unknown>) =>
  runWith({ pipelineSpec: { tasks: [{ name: 'build', taskSpec }] } });

/** A run whose one pipeline task has `taskRef`. */
const taskRefWith = (taskRef: Record<string, unknown>) =>
  runWith({ pipelineSpec: { tasks: [{ name: 'build', taskRef }] } });

const resolverParams = (params: Record<string, unknown>) =>
  Object.entries(params).map(([name, value]) => ({ name, value }));

const byResolver = (resolver: string, params: Record<string, unknown>) =>
  taskRefWith({ resolver, params: resolverParams(params) });

const PARAM0 = 'spec.pipelineSpec.tasks[0].taskRef.params[0].value';
const RESOLVER = 'spec.pipelineSpec.tasks[0].taskRef.resolver';
const TASK = 'spec.pipelineSpec.tasks[0].taskSpec';
const CLUSTER_NAMESPACE = 'spec.pipelineSpec.tasks[0].taskRef.params[2].value';

describe('the shipped spotguides', () => {
  const ROOT = path.resolve(__dirname, '../../../../..');
  const TEMPLATES = path.join(ROOT, 'templates');
  const SCAFFOLDER_VALUES: Record<string, string> = {
    'values.name': 'shop',
    '(values.repoUrl | parseRepoUrl).owner': 'acme',
    'values.javaVersion': '21',
  };
  const SHA = '4f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39';
  const base = {
    repoUrl: 'https://github.com/acme/shop',
    repoOwner: 'acme',
    repoName: 'shop',
    revision: SHA,
  };
  const contexts: Record<string, RunContext> = {
    ci: { ...base, branch: 'feature/login', event: 'push' },
    build: { ...base, branch: 'main', event: 'push' },
    cd: {
      ...base,
      event: 'deployment',
      environment: 'production',
      deploymentId: 7,
    },
  };
  const files = readdirSync(TEMPLATES).flatMap(spotguide => {
    const dir = path.join(TEMPLATES, spotguide, 'skeleton/.tekton');
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    return names.map(name => {
      const content = readFileSync(path.join(dir, name), 'utf8').replace(
        /\$\{\{\s*(.*?)\s*\}\}/g,
        (_m, expr: string) => SCAFFOLDER_VALUES[expr],
      );
      return [`${spotguide}/${name}`, { path: `.tekton/${name}`, content }];
    }) as [string, { path: string; content: string }][];
  });

  it('are the four spotguides with three pipelines each', () => {
    expect(files).toHaveLength(12);
  });

  it.each(files)('%s renders a run with no violation', (_name, file) => {
    const pipeline = path.basename(file.path, '.yaml');
    const run = renderPipelineRun(file, contexts[pipeline]);
    expect(check(run)).toEqual([]);
    expect(check(withPipelineServiceAccount(run, 'pipeline'))).toEqual([]);
    // Nothing to resolve remotely: they pass with no allow-list at all.
    expect(check(run, { serviceAccount: 'pipeline', namespace: 'x' })).toEqual(
      [],
    );
  });
});

describe('checkRunSafety refuses', () => {
  const podTemplates: [string, (pod: object) => Record<string, any>][] = [
    [
      'spec.taskRunTemplate.podTemplate',
      pod => runWith({ taskRunTemplate: { podTemplate: pod } }),
    ],
    [
      'spec.taskRunSpecs[0].podTemplate',
      pod =>
        runWith({
          taskRunSpecs: [{ pipelineTaskName: 'clone', podTemplate: pod }],
        }),
    ],
    ['spec.podTemplate', pod => runWith({ podTemplate: pod })],
    [
      'spec.taskRunSpecs[0].taskPodTemplate',
      pod =>
        runWith({
          taskRunSpecs: [{ pipelineTaskName: 'clone', taskPodTemplate: pod }],
        }),
    ],
  ];

  describe.each(podTemplates)('in %s', (at, make) => {
    it.each([
      [{ hostNetwork: true }, 'hostNetwork', "node's network"],
      [{ hostPID: true }, 'hostPID', "node's processes"],
      [{ hostIPC: true }, 'hostIPC', "node's shared memory"],
      [
        { volumes: [{ name: 'docker', hostPath: { path: '/var/run' } }] },
        'volumes[0].hostPath',
        'mounts a directory of the node',
      ],
      [
        { volumes: [{ name: 'n', nfs: { server: 'x', path: '/' } }] },
        'volumes[0].nfs',
        '"nfs" is not a source a run may use',
      ],
      [
        { volumes: [{ name: 'g', gitRepo: { repository: 'x' } }] },
        'volumes[0].gitRepo',
        'not a source',
      ],
      [
        {
          volumes: [
            {
              name: 'e',
              ephemeral: {
                volumeClaimTemplate: { spec: { volumeName: 'pv-other' } },
              },
            },
          ],
        },
        'volumes[0].ephemeral.volumeClaimTemplate.spec.volumeName',
        'PersistentVolume "pv-other"',
      ],
      [
        { securityContext: { seccompProfile: { type: 'Unconfined' } } },
        'securityContext.seccompProfile.type',
        'system call filter',
      ],
      [
        { securityContext: { appArmorProfile: { type: 'Unconfined' } } },
        'securityContext.appArmorProfile.type',
        'AppArmor',
      ],
      [
        { securityContext: { seLinuxOptions: { type: 'spc_t' } } },
        'securityContext.seLinuxOptions.type',
        'not a container type',
      ],
      [
        { securityContext: { seLinuxOptions: { user: 'system_u' } } },
        'securityContext.seLinuxOptions.user',
        'SELinux',
      ],
      [
        { securityContext: { windowsOptions: { hostProcess: true } } },
        'securityContext.windowsOptions.hostProcess',
        'process of the node',
      ],
      [{ hostNetwork: 'true' }, 'hostNetwork', 'must be true or false'],
      [{ volumes: { name: 'x' } }, 'volumes', 'must be a list'],
      [{ securityContext: 'privileged' }, 'securityContext', 'mapping'],
    ])('%j at .%s', (pod, field, message) => {
      expect(check(make(pod))).toEqual([
        { path: `${at}.${field}`, message: expect.stringContaining(message) },
      ]);
    });

    it('but allows scheduling, user namespaces, root and namespace volumes', () => {
      const pod = {
        hostNetwork: false,
        hostPID: false,
        hostUsers: false,
        nodeSelector: { 'kubernetes.io/arch': 'arm64' },
        tolerations: [{ key: 'ci', operator: 'Exists', effect: 'NoSchedule' }],
        affinity: { nodeAffinity: {} },
        priorityClassName: 'ci-low',
        runtimeClassName: 'gvisor',
        securityContext: {
          runAsUser: 0,
          fsGroup: 0,
          seccompProfile: { type: 'RuntimeDefault' },
          appArmorProfile: { type: 'Localhost', localhostProfile: 'ci' },
          seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' },
          sysctls: [
            { name: 'net.ipv4.ip_unprivileged_port_start', value: '0' },
          ],
        },
        volumes: [
          { name: 'a', emptyDir: {} },
          { name: 'b', secret: { secretName: 's' } },
          { name: 'c', configMap: { name: 'c' } },
          { name: 'd', persistentVolumeClaim: { claimName: 'cache' } },
          { name: 'e', projected: { sources: [] } },
          { name: 'f', csi: { driver: 'secrets-store.csi.k8s.io' } },
          { name: 'g', downwardAPI: { items: [] } },
          { name: 'h', image: { reference: 'ghcr.io/acme/tools:1' } },
          {
            name: 'i',
            ephemeral: {
              volumeClaimTemplate: {
                spec: { storageClassName: 'fast', accessModes: ['RWO'] },
              },
            },
          },
        ],
      };
      expect(check(make(pod))).toEqual([]);
    });
  });

  const containers: [string, (c: object) => Record<string, any>][] = [
    [`${TASK}.steps[0]`, c => taskWith({ steps: [{ name: 's', ...c }] })],
    [`${TASK}.sidecars[0]`, c => taskWith({ sidecars: [{ name: 's', ...c }] })],
    [`${TASK}.stepTemplate`, c => taskWith({ stepTemplate: c })],
    [
      'spec.taskRunSpecs[0].stepSpecs[0]',
      c =>
        runWith({
          taskRunSpecs: [
            { pipelineTaskName: 'clone', stepSpecs: [{ name: 's', ...c }] },
          ],
        }),
    ],
    [
      'spec.taskRunSpecs[0].sidecarSpecs[0]',
      c =>
        runWith({
          taskRunSpecs: [
            { pipelineTaskName: 'clone', sidecarSpecs: [{ name: 's', ...c }] },
          ],
        }),
    ],
    [
      'spec.pipelineSpec.finally[0].taskSpec.steps[0]',
      c =>
        runWith({
          pipelineSpec: {
            tasks: [{ name: 'a', taskRef: { name: 'git-clone' } }],
            finally: [
              { name: 'f', taskSpec: { steps: [{ name: 's', ...c }] } },
            ],
          },
        }),
    ],
  ];

  describe.each(containers)('in %s', (at, make) => {
    it.each([
      [{ privileged: true }, 'privileged', 'whole node'],
      [
        { allowPrivilegeEscalation: true },
        'allowPrivilegeEscalation',
        'more privileges',
      ],
      [
        { capabilities: { add: ['SYS_ADMIN'] } },
        'capabilities.add',
        'may not add Linux capabilities',
      ],
      [{ procMount: 'Unmasked' }, 'procMount', '/proc'],
      [
        { seccompProfile: { type: 'Unconfined' } },
        'seccompProfile.type',
        'system call filter',
      ],
      [
        { appArmorProfile: { type: 'Unconfined' } },
        'appArmorProfile.type',
        'AppArmor',
      ],
      [
        { seLinuxOptions: { type: 'unconfined_t' } },
        'seLinuxOptions.type',
        'not a container type',
      ],
      [
        { seLinuxOptions: { role: 'sysadm_r' } },
        'seLinuxOptions.role',
        'SELinux',
      ],
      [
        { windowsOptions: { hostProcess: true } },
        'windowsOptions.hostProcess',
        'process of the node',
      ],
      [{ privileged: 'yes' }, 'privileged', 'must be true or false'],
      [{ capabilities: { add: 'NET_ADMIN' } }, 'capabilities.add', 'list'],
    ])('%j at .securityContext.%s', (securityContext, field, message) => {
      expect(check(make({ securityContext }))).toEqual([
        {
          path: `${at}.securityContext.${field}`,
          message: expect.stringContaining(message),
        },
      ]);
    });

    it('a host port', () => {
      expect(
        check(make({ ports: [{ containerPort: 80, hostPort: 80 }] })),
      ).toEqual([
        {
          path: `${at}.ports[0].hostPort`,
          message: expect.stringContaining('port on the node'),
        },
      ]);
    });

    it('but allows dropping capabilities, root and read-only settings', () => {
      const securityContext = {
        privileged: false,
        allowPrivilegeEscalation: false,
        capabilities: { add: [], drop: ['ALL'] },
        procMount: 'Default',
        runAsUser: 0,
        runAsNonRoot: false,
        readOnlyRootFilesystem: true,
        seccompProfile: { type: 'RuntimeDefault' },
      };
      expect(
        check(make({ securityContext, ports: [{ containerPort: 8080 }] })),
      ).toEqual([]);
    });
  });

  it.each([
    [
      'spec.taskRunTemplate.serviceAccountName',
      { taskRunTemplate: { serviceAccountName: 'admin' } },
    ],
    [
      'spec.taskRunSpecs[0].serviceAccountName',
      {
        taskRunSpecs: [
          { pipelineTaskName: 'clone', serviceAccountName: 'admin' },
        ],
      },
    ],
    ['spec.serviceAccountName', { serviceAccountName: 'admin' }],
    [
      'spec.taskRunSpecs[0].taskServiceAccountName',
      {
        taskRunSpecs: [
          { pipelineTaskName: 'clone', taskServiceAccountName: 'admin' },
        ],
      },
    ],
    [
      'spec.serviceAccountNames[0].serviceAccountName',
      {
        serviceAccountNames: [
          { taskName: 'clone', serviceAccountName: 'admin' },
        ],
      },
    ],
  ])('another service account at %s', (at, spec) => {
    expect(check(runWith(spec))).toEqual([
      {
        path: at,
        message:
          'runs use the namespace\'s pipeline service account "pipeline", not "admin"; remove serviceAccountName',
      },
    ]);
  });

  it('allows the pipeline service account, or none', () => {
    expect(
      check(
        runWith({
          taskRunTemplate: { serviceAccountName: 'pipeline' },
          taskRunSpecs: [
            { pipelineTaskName: 'clone', serviceAccountName: 'pipeline' },
          ],
        }),
      ),
    ).toEqual([]);
    expect(
      check(runWith({ taskRunTemplate: { serviceAccountName: '' } })),
    ).toEqual([]);
  });

  it.each([
    [
      { name: 'w', hostPath: { path: '/' } },
      'hostPath',
      'mounts a directory of the node',
    ],
    [{ name: 'w', nfs: { server: 'x' } }, 'nfs', 'not a source'],
    [
      { name: 'w', volumeClaimTemplate: { spec: { volumeName: 'pv-1' } } },
      'volumeClaimTemplate.spec.volumeName',
      'cluster-wide',
    ],
    [
      {
        name: 'w',
        volumeClaimTemplate: {
          spec: {
            dataSourceRef: {
              kind: 'VolumeSnapshot',
              name: 's',
              namespace: 'team-other',
            },
          },
        },
      },
      'volumeClaimTemplate.spec.dataSourceRef.namespace',
      'namespace "team-other"',
    ],
  ])('the workspace binding %j', (binding, field, message) => {
    expect(check(runWith({ workspaces: [binding] }))).toEqual([
      {
        path: `spec.workspaces[0].${field}`,
        message: expect.stringContaining(message),
      },
    ]);
  });

  it('allows workspaces of the namespace', () => {
    const workspaces = [
      {
        name: 'a',
        persistentVolumeClaim: { claimName: 'cache' },
        subPath: 'x',
      },
      { name: 'b', emptyDir: {} },
      { name: 'c', secret: { secretName: 'registry-credentials' } },
      { name: 'd', configMap: { name: 'settings' } },
      { name: 'e', projected: { sources: [{ secret: { name: 's' } }] } },
      { name: 'f', csi: { driver: 'secrets-store.csi.k8s.io' } },
      {
        name: 'g',
        volumeClaimTemplate: {
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '1Gi' } },
            dataSourceRef: {
              kind: 'VolumeSnapshot',
              name: 's',
              namespace: 'team-payments',
            },
          },
        },
      },
    ];
    expect(check(runWith({ workspaces }))).toEqual([]);
  });

  it.each([
    [
      { name: 'build', kind: 'ClusterTask' },
      'kind',
      'ClusterTask is cluster-scoped',
    ],
    [{ name: 'loop', kind: 'PipelineLoop' }, 'kind', 'custom task'],
    [
      { name: 'build', kind: 'Task', apiVersion: 'tekton.dev/v1' },
      'apiVersion',
      'custom task',
    ],
    [
      { name: 'build', bundle: 'ghcr.io/tektoncd/catalog/x:1' },
      'bundle',
      'v1beta1 form',
    ],
    [{ name: 'build', kind: 7 }, 'kind', 'must be a string'],
  ])('the taskRef %j', (taskRef, field, message) => {
    expect(check(taskRefWith(taskRef))).toEqual([
      {
        path: `spec.pipelineSpec.tasks[0].taskRef.${field}`,
        message: expect.stringContaining(message),
      },
    ]);
  });

  it('allows a Task of the namespace, kind written or not', () => {
    expect(check(taskRefWith({ name: 'build', kind: 'Task' }))).toEqual([]);
  });

  it('an embedded custom task', () => {
    expect(
      check(taskWith({ apiVersion: 'example.dev/v1', kind: 'Loop', spec: {} })),
    ).toEqual(
      ['apiVersion', 'kind', 'spec'].map(key => ({
        path: `${TASK}.${key}`,
        message: expect.stringContaining('custom task'),
      })),
    );
  });

  it('a hostPath volume of an embedded task', () => {
    expect(
      check(
        taskWith({
          steps: [{ name: 's', image: 'alpine' }],
          volumes: [
            { name: 'sock', hostPath: { path: '/var/run/docker.sock' } },
          ],
        }),
      ),
    ).toEqual([
      {
        path: `${TASK}.volumes[0].hostPath`,
        message: expect.stringContaining('node'),
      },
    ]);
  });

  it.each([
    [
      'metadata.annotations',
      (a: object) => ({ ...runWith(), metadata: { annotations: a } }),
    ],
    [
      'spec.taskRunSpecs[0].metadata.annotations',
      (a: object) =>
        runWith({
          taskRunSpecs: [
            { pipelineTaskName: 'clone', metadata: { annotations: a } },
          ],
        }),
    ],
    [
      `${TASK}.metadata.annotations`,
      (a: object) => taskWith({ metadata: { annotations: a } }),
    ],
  ])('unconfining annotations in %s', (at, make) => {
    const annotations = {
      'container.apparmor.security.beta.kubernetes.io/step-build': 'unconfined',
      'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
      'container.seccomp.security.alpha.kubernetes.io/step-build': 'Unconfined',
      'container.apparmor.security.beta.kubernetes.io/step-test':
        'runtime/default',
      note: 'unconfined',
    };
    expect(check(make(annotations)).map(v => v.path)).toEqual([
      `${at}["container.apparmor.security.beta.kubernetes.io/step-build"]`,
      `${at}["seccomp.security.alpha.kubernetes.io/pod"]`,
      `${at}["container.seccomp.security.alpha.kubernetes.io/step-build"]`,
    ]);
  });

  it('another controller, another namespace, another kind', () => {
    const run = runWith({ managedBy: 'kueue.x-k8s.io/multikueue' });
    run.metadata.namespace = 'kube-system';
    run.apiVersion = 'tekton.dev/v1beta1';
    run.kind = 'TaskRun';
    expect(check(run)).toEqual([
      { path: 'apiVersion', message: expect.stringContaining('tekton.dev/v1') },
      { path: 'kind', message: expect.stringContaining('PipelineRun') },
      {
        path: 'metadata.namespace',
        message: expect.stringContaining('"kube-system"'),
      },
      {
        path: 'spec.managedBy',
        message: expect.stringContaining('another controller'),
      },
    ]);
    expect(check(runWith({ managedBy: 'tekton.dev/pipeline' }))).toEqual([]);
    const here = runWith();
    here.metadata.namespace = 'team-payments';
    expect(check(here)).toEqual([]);
  });
});

describe('remote resolution', () => {
  const HTTP_OK =
    'https://raw.githubusercontent.com/tektoncd/catalog/main/task/git-clone/0.9/git-clone.yaml';

  it.each([
    ['http', { url: HTTP_OK }],
    ['http', { url: HTTP_OK, digest: 'sha256:abc' }],
    [
      'git',
      {
        url: 'https://github.com/tektoncd/catalog.git',
        revision: 'main',
        pathInRepo: 'task/git-clone/0.9/git-clone.yaml',
      },
    ],
    ['git', { url: 'https://github.com/tektoncd/catalog' }],
    ['git', { url: 'https://github.com/tektoncd/catalog/' }],
    [
      'bundles',
      {
        bundle: 'ghcr.io/tektoncd/catalog/upstream/tasks/git-clone:0.9',
        name: 'git-clone',
        kind: 'task',
      },
    ],
    [
      'bundles',
      {
        bundle: `ghcr.io/tektoncd/catalog/git-clone@sha256:${'a'.repeat(64)}`,
        serviceAccount: 'pipeline',
      },
    ],
    ['bundles', { bundle: 'GHCR.io/tektoncd/catalog/git-clone:0.9' }],
    [
      'hub',
      { catalog: 'tekton-catalog-tasks', name: 'git-clone', version: '0.9' },
    ],
    [
      'cluster',
      { kind: 'task', name: 'git-clone', namespace: 'team-payments' },
    ],
  ])('allows %s %j', (resolver, params) => {
    expect(check(byResolver(resolver, params))).toEqual([]);
  });

  it.each([
    [
      'https://raw.githubusercontent.com/tektoncd/catalog.evil.com/main/task.yaml',
      'not under',
    ],
    [
      'https://raw.githubusercontent.com.evil.com/tektoncd/catalog/task.yaml',
      'not under',
    ],
    [
      'https://raw.githubusercontent.com/tektoncd/catalogue/task.yaml',
      'not under',
    ],
    ['https://raw.githubusercontent.com/tektoncd/catalog', 'not under'],
    [
      'https://evil@raw.githubusercontent.com/tektoncd/catalog/task.yaml',
      'credentials',
    ],
    [
      'https://raw.githubusercontent.com:443@evil.com/tektoncd/catalog/task.yaml',
      'credentials',
    ],
    [
      'https://u:p@raw.githubusercontent.com/tektoncd/catalog/x.yaml',
      'credentials',
    ],
    ['http://raw.githubusercontent.com/tektoncd/catalog/task.yaml', 'https'],
    ['file:///etc/passwd', 'https'],
    [
      'https://raw.githubusercontent.com/tektoncd/catalog/../evil/task.yaml',
      "'..'",
    ],
    [
      'https://raw.githubusercontent.com/tektoncd/catalog/%2e%2e/evil/task.yaml',
      "'..'",
    ],
    [
      'https://raw.githubusercontent.com/tektoncd/catalog/.%2E/evil/task.yaml',
      "'..'",
    ],
    ['https://raw.githubusercontent.com/tektoncd/catalog/./task.yaml', "'..'"],
    [
      'https://raw.githubusercontent.com/tektoncd/catalog/x%2F..%2F..%2Fevil/t.yaml',
      'encoded slashes',
    ],
    [
      'https://raw.githubusercontent.com\\@evil.com/tektoncd/catalog/',
      'backslashes',
    ],
    [
      'https://RAW.githubusercontent.com/tektoncd/catalog/task.yaml',
      'canonical',
    ],
    [
      'https://raw.githubusercontent.com:443/tektoncd/catalog/task.yaml',
      'canonical',
    ],
    [
      'https://raw.githubusercontent.com/tektoncd/catalog/$(params.path)',
      'written out',
    ],
    ['$(params.url)', 'written out'],
    ['not a url', 'spaces'],
    ['https://', 'not a valid URL'],
  ])('refuses the http url %s', (url, message) => {
    expect(check(byResolver('http', { url }))).toEqual([
      { path: PARAM0, message: expect.stringContaining(message) },
    ]);
  });

  it.each([
    ['https://github.com/tektoncd/catalog-evil.git', 'not under'],
    ['https://github.com/tektoncd/catalog.github.io', 'not under'],
    ['https://github.com/tektoncd/catalog.git.evil', 'not under'],
    ['https://github.com.evil.com/tektoncd/catalog', 'not under'],
    ['http://github.com/tektoncd/catalog', 'https'],
    ['git@github.com:tektoncd/catalog.git', 'not a valid URL'],
    ['ssh://git@github.com/tektoncd/catalog.git', 'https'],
    ['https://x-access-token:t@github.com/tektoncd/catalog', 'credentials'],
    ['https://github.com/tektoncd/catalog/../../evil/repo', "'..'"],
  ])('refuses the git url %s', (url, message) => {
    expect(check(byResolver('git', { url }))).toEqual([
      { path: PARAM0, message: expect.stringContaining(message) },
    ]);
  });

  it.each([
    ['ghcr.io/tektoncd/catalog.evil/git-clone:1', 'not under'],
    ['ghcr.io/tektoncd/catalogue/git-clone:1', 'not under'],
    ['ghcr.io.evil.com/tektoncd/catalog/git-clone:1', 'not under'],
    ['evil.io/ghcr.io/tektoncd/catalog/git-clone:1', 'not under'],
    ['ghcr.io/tektoncd/catalog/../evil/x:1', 'not an image reference'],
    ['https://ghcr.io/tektoncd/catalog/x:1', 'not an image reference'],
    ['user@ghcr.io/tektoncd/catalog/x:1', 'not an image reference'],
    ['tektoncd/catalog/x:1', 'not an image reference'],
    ['ghcr.io/tektoncd/catalog/$(params.task)', 'written out'],
  ])('refuses the bundle %s', (bundle, message) => {
    expect(check(byResolver('bundles', { bundle }))).toEqual([
      { path: PARAM0, message: expect.stringContaining(message) },
    ]);
  });

  it('refuses a bundles resolver with another service account', () => {
    expect(
      check(
        byResolver('bundles', {
          bundle: 'ghcr.io/tektoncd/catalog/x:1',
          serviceAccount: 'builder',
        }),
      ),
    ).toEqual([
      {
        path: 'spec.pipelineSpec.tasks[0].taskRef.params[1].value',
        message: expect.stringContaining('not "builder"'),
      },
    ]);
  });

  it.each([
    [{ catalog: 'evil-catalog', name: 'x' }, PARAM0, 'only use the catalogs'],
    [{ name: 'x' }, RESOLVER, 'needs a catalog parameter'],
    [
      { catalog: 'tekton-catalog-tasks', url: 'https://hub.evil.com' },
      'spec.pipelineSpec.tasks[0].taskRef.params[1].value',
      "replaces the cluster's hub",
    ],
  ])('refuses the hub reference %j', (params, at, message) => {
    expect(check(byResolver('hub', params))).toEqual([
      { path: at, message: expect.stringContaining(message) },
    ]);
  });

  it("allows any hub catalog with '*'", () => {
    const options = { ...OPTIONS, allowedResolvers: { hub: ['*'] } };
    expect(check(byResolver('hub', { name: 'x' }), options)).toEqual([]);
    expect(
      check(byResolver('hub', { catalog: 'c', name: 'x' }), options),
    ).toEqual([]);
  });

  it.each([
    [
      { kind: 'task', name: 'x', namespace: 'team-other' },
      CLUSTER_NAMESPACE,
      'not "team-other"',
    ],
    [{ kind: 'task', name: 'x' }, RESOLVER, 'must name its namespace'],
    [
      {
        kind: 'task',
        name: 'x',
        namespace: '$(context.pipelineRun.namespace)',
      },
      CLUSTER_NAMESPACE,
      'only read from',
    ],
  ])('refuses the cluster reference %j', (params, at, message) => {
    expect(check(byResolver('cluster', params))).toEqual([
      { path: at, message: expect.stringContaining(message) },
    ]);
  });

  it.each([
    ['repo', 'API form'],
    ['org', 'API form'],
    ['serverURL', 'API form'],
    ['token', 'API form'],
    ['mystery', 'not one a run may use'],
  ])('refuses the git parameter %s', (name, message) => {
    expect(
      check(
        byResolver('git', {
          url: 'https://github.com/tektoncd/catalog',
          [name]: 'x',
        }),
      ),
    ).toEqual([
      {
        path: 'spec.pipelineSpec.tasks[0].taskRef.params[1].value',
        message: expect.stringContaining(message),
      },
    ]);
  });

  it.each([['oci'], ['Git'], ['__proto__'], ['constructor']])(
    'refuses the unknown resolver %s',
    resolver => {
      expect(check(byResolver(resolver, { url: HTTP_OK }))).toEqual([
        {
          path: RESOLVER,
          message: expect.stringContaining('not one a run may use'),
        },
      ]);
    },
  );

  it('refuses every remote resolver when the configuration allows none', () => {
    const options = { serviceAccount: 'pipeline', namespace: 'team-payments' };
    for (const [resolver, params] of [
      ['http', { url: HTTP_OK }],
      ['git', { url: 'https://github.com/tektoncd/catalog' }],
      ['bundles', { bundle: 'ghcr.io/tektoncd/catalog/x:1' }],
      ['hub', { catalog: 'tekton-catalog-tasks' }],
    ] as const) {
      expect(check(byResolver(resolver, params), options)).toEqual([
        { path: RESOLVER, message: expect.stringContaining('allows no') },
      ]);
    }
    expect(
      check(
        byResolver('cluster', { name: 'x', namespace: 'team-payments' }),
        options,
      ),
    ).toEqual([]);
  });

  it('refuses malformed parameters', () => {
    const run = taskRefWith({
      resolver: 'http',
      params: [
        { name: 'url', value: HTTP_OK },
        { name: 'url', value: 'https://evil.com/' },
        { name: 'digest', value: ['sha256:x'] },
        'url',
        { value: 'x' },
      ],
    });
    expect(check(run).map(v => [v.path, v.message])).toEqual([
      [
        'spec.pipelineSpec.tasks[0].taskRef.params[1]',
        'the http resolver\'s "url" parameter is given twice',
      ],
      [
        'spec.pipelineSpec.tasks[0].taskRef.params[2].value',
        'the http resolver\'s "digest" parameter must be a string, not a list',
      ],
      [
        'spec.pipelineSpec.tasks[0].taskRef.params[3]',
        'spec.pipelineSpec.tasks[0].taskRef.params[3] must be a mapping, not the string "url"',
      ],
      [
        'spec.pipelineSpec.tasks[0].taskRef.params[4].name',
        'a resolver parameter needs a name',
      ],
    ]);
  });

  it('checks every place a reference can be', () => {
    const evil = {
      resolver: 'http',
      params: [{ name: 'url', value: 'https://evil.com/x.yaml' }],
    };
    const run = runWith({
      pipelineRef: evil,
      pipelineSpec: {
        tasks: [
          { name: 'a', taskRef: evil },
          { name: 'b', taskSpec: { steps: [{ name: 's', ref: evil }] } },
          { name: 'c', pipelineRef: evil },
          {
            name: 'd',
            pipelineSpec: {
              tasks: [{ name: 'e', taskRef: evil }],
              finally: [{ name: 'f', taskRef: evil }],
            },
          },
        ],
        finally: [{ name: 'g', taskRef: evil }],
      },
    });
    expect(check(run).map(v => v.path)).toEqual([
      'spec.pipelineRef.params[0].value',
      'spec.pipelineSpec.tasks[0].taskRef.params[0].value',
      'spec.pipelineSpec.tasks[1].taskSpec.steps[0].ref.params[0].value',
      'spec.pipelineSpec.tasks[2].pipelineRef.params[0].value',
      'spec.pipelineSpec.tasks[3].pipelineSpec.tasks[0].taskRef.params[0].value',
      'spec.pipelineSpec.tasks[3].pipelineSpec.finally[0].taskRef.params[0].value',
      'spec.pipelineSpec.finally[0].taskRef.params[0].value',
    ]);
    expect(check(run)[0].message).toBe(
      'the http resolver may only fetch from https://raw.githubusercontent.com/tektoncd/catalog/; "https://evil.com/x.yaml" is not under any of them',
    );
  });

  it('refuses the v1beta1 bundle field of a pipelineRef', () => {
    expect(
      check({
        ...runWith(),
        spec: {
          pipelineRef: { name: 'p', bundle: 'ghcr.io/tektoncd/catalog/p:1' },
        },
      }),
    ).toEqual([
      {
        path: 'spec.pipelineRef.bundle',
        message: expect.stringContaining('v1beta1'),
      },
    ]);
  });
});

describe('untrusted shapes', () => {
  it.each([[undefined], [null], ['run'], [42], [[]], [true]])(
    'refuses the run %j without throwing',
    run => {
      expect(check(run)).toEqual([
        {
          path: '(root)',
          message: expect.stringContaining('must be a mapping'),
        },
      ]);
    },
  );

  it('refuses a run without a spec', () => {
    const { spec: _spec, ...run } = runWith();
    expect(check(run)).toEqual([
      { path: 'spec', message: 'the run has no spec' },
    ]);
  });

  it.each([
    [{ taskRunTemplate: 'x' }, 'spec.taskRunTemplate', 'must be a mapping'],
    [
      { pipelineSpec: { tasks: {} } },
      'spec.pipelineSpec.tasks',
      'must be a list',
    ],
    [
      { pipelineSpec: { tasks: [7] } },
      'spec.pipelineSpec.tasks[0]',
      'must be a mapping',
    ],
    [{ taskRunSpecs: 'all' }, 'spec.taskRunSpecs', 'must be a list'],
    [{ workspaces: [[]] }, 'spec.workspaces[0]', 'must be a mapping'],
    [
      { taskRunTemplate: { serviceAccountName: ['pipeline'] } },
      'spec.taskRunTemplate.serviceAccountName',
      'must be a string',
    ],
  ])('refuses %j', (spec, at, message) => {
    expect(check(runWith(spec))).toEqual([
      { path: at, message: expect.stringContaining(message) },
    ]);
  });

  /** A run with every field the check reads, all allowed. */
  const everything = () => ({
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: {
      name: 'r',
      namespace: 'team-payments',
      annotations: { a: 'b' },
    },
    spec: {
      managedBy: 'tekton.dev/pipeline',
      serviceAccountName: 'pipeline',
      serviceAccountNames: [{ taskName: 'a', serviceAccountName: 'pipeline' }],
      podTemplate: { hostNetwork: false },
      taskRunTemplate: {
        serviceAccountName: 'pipeline',
        podTemplate: {
          hostNetwork: false,
          securityContext: {
            seLinuxOptions: { type: 'container_t' },
            seccompProfile: { type: 'RuntimeDefault' },
            windowsOptions: { hostProcess: false },
          },
          volumes: [
            {
              name: 'v',
              ephemeral: {
                volumeClaimTemplate: { spec: { storageClassName: 's' } },
              },
            },
          ],
        },
      },
      taskRunSpecs: [
        {
          pipelineTaskName: 'a',
          serviceAccountName: 'pipeline',
          podTemplate: { hostPID: false },
          stepSpecs: [{ name: 's', computeResources: {} }],
          sidecarSpecs: [{ name: 's' }],
          metadata: { annotations: { a: 'b' } },
        },
      ],
      workspaces: [
        {
          name: 'w',
          volumeClaimTemplate: {
            spec: { dataSourceRef: { namespace: 'team-payments' } },
          },
        },
      ],
      pipelineSpec: {
        tasks: [
          {
            name: 'a',
            taskRef: {
              kind: 'Task',
              resolver: 'cluster',
              params: [{ name: 'namespace', value: 'team-payments' }],
            },
          },
          {
            name: 'b',
            taskSpec: {
              metadata: { annotations: {} },
              stepTemplate: { securityContext: { privileged: false } },
              steps: [
                {
                  name: 's',
                  ref: { name: 'x' },
                  ports: [{ hostPort: 0 }],
                  securityContext: {
                    capabilities: { add: [], drop: ['ALL'] },
                    appArmorProfile: { type: 'RuntimeDefault' },
                  },
                },
              ],
              sidecars: [
                { name: 'c', securityContext: { procMount: 'Default' } },
              ],
              volumes: [{ name: 'v', emptyDir: {} }],
            },
          },
          {
            name: 'c',
            pipelineRef: { name: 'p', apiVersion: 'tekton.dev/v1' },
          },
          {
            name: 'd',
            pipelineSpec: { tasks: [{ name: 'e', taskRef: { name: 't' } }] },
          },
        ],
        finally: [{ name: 'f', taskRef: { name: 'g' } }],
      },
    },
  });

  it('the reference run passes', () => {
    expect(check(everything())).toEqual([]);
  });

  /** Every (parent, key) of a document, depth first. */
  function* slots(value: unknown): Generator<[any, string | number]> {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        yield [value, i];
        yield* slots(value[i]);
      }
    } else if (value && typeof value === 'object') {
      for (const key of Object.keys(value)) {
        yield [value, key];
        yield* slots((value as any)[key]);
      }
    }
  }

  it('never throws whatever value stands anywhere', () => {
    const odd = [
      'x',
      '',
      0,
      42,
      true,
      false,
      null,
      [],
      {},
      [[1]],
      { a: { b: 1 } },
    ];
    let cases = 0;
    for (const replacement of odd) {
      const count = [...slots(everything())].length;
      for (let n = 0; n < count; n++) {
        const run = everything();
        const [parent, key] = [...slots(run)][n];
        parent[key] = replacement;
        const violations = check(run);
        expect(Array.isArray(violations)).toBe(true);
        for (const v of violations) {
          expect(typeof v.path).toBe('string');
          expect(typeof v.message).toBe('string');
        }
        cases += 1;
      }
    }
    expect(cases).toBeGreaterThan(1000);
  });

  it('ignores inherited properties', () => {
    const podTemplate = Object.create({ hostNetwork: true });
    expect(check(runWith({ taskRunTemplate: { podTemplate } }))).toEqual([]);
  });
});

describe('bounded work', () => {
  it('refuses deep nesting with one violation, without recursion', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const run = runWith();
    run.metadata.labels = deep;
    const violations = check(run);
    expect(violations).toEqual([
      {
        path: `metadata.labels${'.d'.repeat(30)}`,
        message: expect.stringContaining('deeper than 32 levels'),
      },
    ]);
  });

  it('refuses a cycle', () => {
    const run = runWith();
    run.spec.pipelineSpec.self = run.spec.pipelineSpec;
    expect(check(run)).toEqual([
      {
        path: expect.stringMatching(/^spec\.pipelineSpec\.self\.self/),
        message: expect.stringContaining('deeper than 32 levels'),
      },
    ]);
  });

  it('refuses a shared subtree reached too many times', () => {
    const row = Array.from({ length: 1000 }, () => 'x');
    const run = runWith();
    run.metadata.annotations = {
      rows: Array.from({ length: 1000 }, () => row),
    };
    expect(check(run)).toEqual([
      {
        path: '(root)',
        message: expect.stringContaining('more than 100000 values'),
      },
    ]);
  });

  it('refuses more than 500 tasks once, in linear time', () => {
    const tasks = Array.from({ length: 20_000 }, (_, i) => ({
      name: `t${i}`,
      taskRef: { name: 'git-clone' },
    }));
    const started = Date.now();
    const violations = check(
      runWith({ pipelineSpec: { tasks, finally: tasks.slice(0, 10) } }),
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(violations).toEqual([
      {
        path: 'spec.pipelineSpec.tasks',
        message: 'the run has more than 500 pipeline tasks; split the pipeline',
      },
    ]);
  });

  it('lists at most 100 violations and counts the rest', () => {
    const steps = Array.from({ length: 300 }, (_, i) => ({
      name: `s${i}`,
      securityContext: { privileged: true },
    }));
    const violations = check(taskWith({ steps }));
    expect(violations).toHaveLength(101);
    expect(violations[100]).toEqual({
      path: '(root)',
      message: '200 more violations are not listed',
    });
  });
});

describe('withPipelineServiceAccount', () => {
  it('sets the account where the file leaves it unset', () => {
    const run = deepFreeze(runWith());
    const before = JSON.stringify(run);
    const result = withPipelineServiceAccount(run, 'pipeline');
    expect(result.spec.taskRunTemplate).toEqual({
      serviceAccountName: 'pipeline',
    });
    expect(result.spec.pipelineSpec).toBe(run.spec.pipelineSpec);
    expect(JSON.stringify(run)).toBe(before);
    expect(check(result)).toEqual([]);
  });

  it('keeps the rest of the task run template', () => {
    const podTemplate = { nodeSelector: { a: 'b' } };
    const run = deepFreeze(runWith({ taskRunTemplate: { podTemplate } }));
    expect(
      withPipelineServiceAccount(run, 'pipeline').spec.taskRunTemplate,
    ).toEqual({ podTemplate, serviceAccountName: 'pipeline' });
    expect(run.spec.taskRunTemplate).toEqual({ podTemplate });
  });

  it.each([[''], [null]])(
    'fills in an account given as %j',
    serviceAccountName => {
      const run = deepFreeze(
        runWith({ taskRunTemplate: { serviceAccountName } }),
      );
      expect(
        withPipelineServiceAccount(run, 'pipeline').spec.taskRunTemplate,
      ).toEqual({ serviceAccountName: 'pipeline' });
    },
  );

  it('leaves an account the file sets, for the check to judge', () => {
    const run = deepFreeze(
      runWith({ taskRunTemplate: { serviceAccountName: 'admin' } }),
    );
    const result = withPipelineServiceAccount(run, 'pipeline');
    expect(result).toBe(run);
    expect(check(result)).toHaveLength(1);
  });

  it.each([
    [{ ...runWith(), spec: 'x' }],
    [runWith({ taskRunTemplate: 'x' })],
    [{}],
  ])('returns a run it cannot fill in as it is: %j', run => {
    expect(withPipelineServiceAccount(run, 'pipeline')).toBe(run);
  });
});
