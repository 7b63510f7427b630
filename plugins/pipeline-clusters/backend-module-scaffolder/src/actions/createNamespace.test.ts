import { InputError } from '@backstage/errors';
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
});
