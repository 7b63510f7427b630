import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { KubeApi, startKubeApi, TEKTON_CRDS } from '@pipeline-portal/testing';
import path from 'node:path';
import { TransientError } from '../engine/errors';
import { TASKS_DIGEST_ANNOTATION, TaskInstaller } from './TaskInstaller';

jest.setTimeout(60_000);

const SHIPPED = path.resolve(__dirname, '../../../../../catalog/tekton-tasks');
const target = { cluster: 'dev', namespace: 'team-a' };

describe('TaskInstaller', () => {
  let api: KubeApi;
  let custom: CustomObjectsApi;

  beforeEach(async () => {
    api = await startKubeApi({ crds: TEKTON_CRDS, namespaces: ['team-a'] });
    const kc = new KubeConfig();
    kc.loadFromOptions(api.kubeConfig);
    custom = kc.makeApiClient(CustomObjectsApi);
  });
  afterEach(() => api.close());

  const tasks = () =>
    api
      .list('tekton.dev/v1', 'Task', { namespace: 'team-a' })
      .map(t => t.metadata!.name!)
      .sort();

  it('installs every shipped Task into a namespace once, on first use', async () => {
    const installer = TaskInstaller.fromDirectory(SHIPPED);
    expect(installer.names).toEqual(
      expect.arrayContaining([
        'git-clone',
        'build-container-image',
        'build-gradle',
        'helm-upgrade-from-source',
        'github-create-deployment',
        'github-create-deployment-status',
        'send-slack-message',
      ]),
    );
    await installer.ensure(target, custom);
    expect(tasks()).toEqual([...installer.names].sort());
    const installed = api.get({
      apiVersion: 'tekton.dev/v1',
      kind: 'Task',
      name: 'git-clone',
      namespace: 'team-a',
    });
    expect(installed?.metadata?.annotations?.[TASKS_DIGEST_ANNOTATION]).toBe(
      installer.digest,
    );

    const before = api.requests.count();
    await installer.ensure(target, custom);
    expect(api.requests.count()).toBe(before);
  });

  it('replaces a Task of an older revision and leaves a current one alone', async () => {
    const task = (description: string) => ({
      apiVersion: 'tekton.dev/v1',
      kind: 'Task' as const,
      metadata: { name: 'hello' },
      spec: {
        description,
        steps: [{ name: 'say', image: 'busybox', script: 'echo hi' }],
      },
    });
    await new TaskInstaller([task('old')]).ensure(target, custom);
    const newer = new TaskInstaller([task('new')]);
    await newer.ensure(target, custom);
    const hello = api.get({
      apiVersion: 'tekton.dev/v1',
      kind: 'Task',
      name: 'hello',
      namespace: 'team-a',
    }) as any;
    expect(hello.spec.description).toBe('new');
    expect(hello.metadata.annotations[TASKS_DIGEST_ANNOTATION]).toBe(
      newer.digest,
    );

    // Another process with the same revision finds it current: no write.
    const writes = () =>
      api.requests.count(r => r.method !== 'GET' && r.path.includes('/tasks'));
    const before = writes();
    await new TaskInstaller([task('new')]).ensure(target, custom);
    expect(writes()).toBe(before);
  });

  it('reports an unavailable cluster as worth a retry, and tries again next time', async () => {
    const installer = TaskInstaller.fromDirectory(SHIPPED);
    const outage = api.faults.add({ path: '/tasks', status: 503 });
    await expect(installer.ensure(target, custom)).rejects.toBeInstanceOf(
      TransientError,
    );
    outage.remove();
    await installer.ensure(target, custom);
    expect(tasks()).toEqual([...installer.names].sort());
  });
});
