import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
} from '@backstage/errors';
import {
  callApi,
  initiatorToken,
  responseStatus,
  toActionError,
} from './actionErrors';

const apiError = (status: number, message = `status ${status}`) =>
  ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'Error', message },
        response: { statusCode: status },
      }),
      { status, headers: { 'content-type': 'application/json' } },
    ) as any,
  );

describe('REST API errors in scaffolder actions', () => {
  it('maps each status to the Backstage error carrying the API message', async () => {
    const cases: Array<[number, new (...a: any[]) => Error]> = [
      [400, InputError],
      [422, InputError],
      [401, NotAllowedError],
      [403, NotAllowedError],
      [404, NotFoundError],
      [409, ConflictError],
    ];
    for (const [status, type] of cases) {
      const error = toActionError(
        await apiError(status, 'spec.name is bad'),
        'Creating x failed',
      );
      expect(error).toBeInstanceOf(type);
      expect(error.message).toBe('Creating x failed: spec.name is bad');
    }
    const other = toActionError(
      await apiError(503, 'down'),
      'Reading x failed',
    );
    expect(other.constructor).toBe(Error);
    expect(other.message).toBe('Reading x failed: down');
    expect(responseStatus(await apiError(404))).toBe(404);
    expect(responseStatus(new Error('x'))).toBeUndefined();
  });

  it("passes the action's own errors unchanged", async () => {
    const own = new InputError('the name is required');
    expect(toActionError(own, 'ignored')).toBe(own);
    expect(toActionError('text', 'ignored').message).toBe('text');
    await expect(
      callApi('Deleting x failed', async () => {
        throw await apiError(403, 'not an owner');
      }),
    ).rejects.toThrow(new NotAllowedError('Deleting x failed: not an owner'));
    await expect(callApi('fine', async () => 42)).resolves.toBe(42);
  });

  it('asks for a token on behalf of the user who runs the template', async () => {
    const auth = mockServices.auth({ pluginId: 'scaffolder' });
    const spy = jest.spyOn(auth, 'getPluginRequestToken');
    const user = mockCredentials.user('user:default/ann');
    const { token } = await initiatorToken(
      auth,
      { getInitiatorCredentials: async () => user },
      'pipeline-clusters',
    );
    expect(token).toEqual(expect.any(String));
    expect(spy).toHaveBeenCalledWith({
      onBehalfOf: user,
      targetPluginId: 'pipeline-clusters',
    });
  });
});
