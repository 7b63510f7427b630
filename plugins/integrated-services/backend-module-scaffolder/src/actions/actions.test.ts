import yaml from 'yaml';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  createActivateAction,
  createDeactivateAction,
  createUpdateAction,
} from '.';
import {
  auth,
  context,
  mockClient,
  outputs,
  preview,
  responseError,
  view,
} from './__testUtils__/helpers';

describe('integrated-service actions', () => {
  it('activates after a preview, once per task, with the cluster from an entity ref', async () => {
    const client = mockClient();
    client.previewInstance.mockResolvedValue(preview('1.14.7', ['1.14.7']));
    client.getInstance.mockRejectedValue(await responseError(404, 'none'));
    client.putInstance.mockResolvedValue(view());
    const action = createActivateAction({ client, auth });
    const ctx = context({
      cluster: 'resource:default/payments-prod',
      service: 'cert-manager',
      version: '1.14.7',
      spec: { email: 'ops@example.com' },
    });
    await action.handler(ctx as any);
    await action.handler(ctx as any);
    expect(client.putInstance).toHaveBeenCalledTimes(1);
    expect(client.putInstance.mock.calls[0].slice(0, 3)).toEqual([
      'payments-prod',
      'cert-manager',
      { version: '1.14.7', spec: { email: 'ops@example.com' }, overrides: {} },
    ]);
    expect(outputs(ctx)).toEqual({
      cluster: 'payments-prod',
      service: 'cert-manager',
      version: '1.14.7',
      path: ['1.14.7'],
    });
  });

  it('passes a 400 from the preview on as an InputError with the JSON pointer, writing nothing', async () => {
    const client = mockClient();
    client.previewInstance.mockRejectedValue(
      await responseError(400, 'invalid request: /spec/replicas must be >= 1'),
    );
    const action = createActivateAction({ client, auth });
    await expect(
      action.handler(
        context({
          cluster: 'payments-prod',
          service: 'cert-manager',
          spec: { replicas: 0 },
        }) as any,
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('/spec/replicas'),
    });
    expect(client.putInstance).not.toHaveBeenCalled();
  });

  it('refuses to activate a service already active, and previews only in a dry run', async () => {
    const client = mockClient();
    client.previewInstance.mockResolvedValue(preview('1.14.7', ['1.14.7']));
    client.getInstance.mockResolvedValue(view());
    const action = createActivateAction({ client, auth });
    const input = { cluster: 'payments-prod', service: 'cert-manager' };
    await expect(action.handler(context(input) as any)).rejects.toMatchObject({
      name: 'ConflictError',
    });
    await action.handler(context(input, true) as any);
    expect(client.putInstance).not.toHaveBeenCalled();
  });

  it('updates the version keeping the spec and overrides the cluster holds', async () => {
    const client = mockClient();
    client.getInstance.mockResolvedValue(
      view({ spec: { replicas: 2 }, overrides: { extra: 'x' } }),
    );
    client.previewInstance.mockResolvedValue(
      preview('1.15.5', ['1.13.6', '1.14.7', '1.15.5']),
    );
    client.putInstance.mockResolvedValue(view());
    const action = createUpdateAction({ client, auth });
    const ctx = context({
      cluster: 'payments-prod',
      service: 'cert-manager',
      version: '1.15.5',
    });
    await action.handler(ctx as any);
    expect(client.putInstance.mock.calls[0][2]).toEqual({
      version: '1.15.5',
      spec: { replicas: 2 },
      overrides: { extra: 'x' },
      enabled: true,
    });
    expect(outputs(ctx).path).toEqual(['1.13.6', '1.14.7', '1.15.5']);
  });

  it('deactivates, and takes a service that is not active as done', async () => {
    const client = mockClient();
    client.deleteInstance.mockResolvedValueOnce();
    const action = createDeactivateAction({ client, auth });
    const input = { cluster: 'payments-prod', service: 'logging' };
    const first = context(input);
    await action.handler(first as any);
    expect(outputs(first).deactivated).toBe(true);
    client.deleteInstance.mockRejectedValueOnce(
      await responseError(404, 'not active'),
    );
    const second = context(input);
    await action.handler(second as any);
    expect(outputs(second).deactivated).toBe(false);
    client.deleteInstance.mockRejectedValueOnce(
      await responseError(403, 'not allowed'),
    );
    await expect(action.handler(context(input) as any)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
  });

  describe('examples run through the real handlers', () => {
    const client = mockClient();
    client.previewInstance.mockImplementation(async (_c, _s, r) =>
      preview(r.version || '1.0.0', [r.version || '1.0.0']),
    );
    client.getInstance.mockImplementation(async () => {
      throw await responseError(404, 'none');
    });
    client.putInstance.mockResolvedValue(view());
    client.deleteInstance.mockResolvedValue();
    const actions: TemplateAction<any, any>[] = [
      createActivateAction({ client, auth }),
      createUpdateAction({ client, auth }),
      createDeactivateAction({ client, auth }),
    ];
    const cases = actions.flatMap(action =>
      (action.examples ?? []).map(
        e => [action.id, e.description, action, e] as const,
      ),
    );

    it.each(cases)('%s: %s', async (id, _d, action, example) => {
      if (id === 'integrated-service:update') {
        client.getInstance.mockResolvedValueOnce(view());
      }
      const steps = yaml.parse(example.example).steps;
      for (const step of steps.filter((s: any) => s.action === id)) {
        const ctx = context(step.input);
        await action.handler(ctx as any);
        expect(outputs(ctx).service).toBe(step.input.service);
      }
    });
  });
});
