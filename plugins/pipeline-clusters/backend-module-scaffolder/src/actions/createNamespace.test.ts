import { ConflictError, InputError } from '@backstage/errors';
import { createNamespaceCreateAction } from './createNamespace';
import {
  auth,
  checkpointStore,
  context,
  mockClient,
  outputs,
  responseError,
} from './__testUtils__/helpers';

const OBJECTS = [
  'Namespace/payments',
  'ResourceQuota/team-quota',
  'RoleBinding/team-admin',
];

describe('pipeline:namespace:create', () => {
  it('creates the namespace with the defaults filled in, once', async () => {
    const client = mockClient();
    client.createNamespace.mockResolvedValue({
      namespace: 'payments',
      objects: OBJECTS,
    });
    const checkpoints = checkpointStore();
    const action = createNamespaceCreateAction({ client, auth });
    const input = {
      cluster: 'resource:default/prod',
      namespace: 'payments',
      team: 'payments',
    };
    const ctx = context(input, { checkpoints });
    await action.handler(ctx);
    await action.handler(context(input, { checkpoints }));

    expect(client.createNamespace).toHaveBeenCalledTimes(1);
    expect(client.createNamespace).toHaveBeenCalledWith(
      'prod',
      {
        namespace: 'payments',
        team: 'group:default/payments',
        quota: { cpu: '4', memory: '8Gi', pods: 50 },
        limits: {
          defaultCpu: '500m',
          defaultMemory: '512Mi',
          defaultRequestCpu: '100m',
          defaultRequestMemory: '128Mi',
        },
      },
      { token: expect.any(String) },
    );
    expect(outputs(ctx)).toEqual({
      cluster: 'prod',
      namespace: 'payments',
      objects: OBJECTS,
    });
  });

  it.each([
    [{ namespace: 'Payments' }, /^namespace: must be an RFC 1123 label/],
    [{ quota: { cpu: 'many' } }, /^quota\.cpu: must be a Kubernetes quantity/],
    [{ limits: { defaultCpu: 'x' } }, /^limits\.defaultCpu: /],
    [{ cluster: 'resource:default/Bad_Name' }, /^cluster: /],
  ])('refuses %j naming the field', async (bad, message) => {
    const client = mockClient();
    const input = {
      cluster: 'prod',
      namespace: 'payments',
      team: 'payments',
      ...bad,
    };
    const action = createNamespaceCreateAction({ client, auth });
    await expect(action.handler(context(input))).rejects.toThrow(InputError);
    await expect(action.handler(context(input))).rejects.toThrow(message);
    expect(client.createNamespace).not.toHaveBeenCalled();
  });

  it("passes on the API's message, e.g. Kyverno missing", async () => {
    const client = mockClient();
    client.createNamespace.mockRejectedValue(
      await responseError(
        400,
        'Kyverno is not installed on the cluster "prod"',
      ),
    );
    await expect(
      createNamespaceCreateAction({ client, auth }).handler(
        context({ cluster: 'prod', namespace: 'payments', team: 'payments' }),
      ),
    ).rejects.toThrow(
      'Creating namespace payments on cluster prod failed: Kyverno is not installed on the cluster "prod"',
    );
  });

  it('refuses a namespace of another team as the API does, with 409, remembering nothing', async () => {
    const client = mockClient();
    const message =
      'namespace: "payments" belongs to group:default/marketing; only an admin may take it over';
    client.createNamespace.mockRejectedValue(await responseError(409, message));
    const checkpoints = checkpointStore();
    const ctx = context(
      { cluster: 'prod', namespace: 'payments', team: 'payments' },
      { checkpoints },
    );
    const run = createNamespaceCreateAction({ client, auth }).handler(ctx);
    await expect(run).rejects.toThrow(ConflictError);
    await expect(run).rejects.toThrow(
      `Creating namespace payments on cluster prod failed: ${message}`,
    );
    // A retried step asks again rather than replaying a refusal.
    expect(checkpoints.values.size).toBe(0);
    expect(ctx.output).not.toHaveBeenCalled();
  });
});
