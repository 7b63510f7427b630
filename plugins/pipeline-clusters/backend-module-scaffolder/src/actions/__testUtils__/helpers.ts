import { mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  ActionContext,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { JsonObject, JsonValue } from '@backstage/types';
import {
  Cluster,
  ClusterPhase,
  PipelineClustersApi,
} from '@pipeline-portal/plugin-pipeline-clusters-common';

export type MockClient = jest.Mocked<PipelineClustersApi>;

export function mockClient(): MockClient {
  return {
    getSettings: jest.fn(),
    listClusters: jest.fn(),
    getCluster: jest.fn(),
    createCluster: jest.fn(),
    importCluster: jest.fn(),
    updateCluster: jest.fn(),
    deleteCluster: jest.fn(),
    getClusterHistory: jest.fn(),
    getKubeconfig: jest.fn(),
    getClusterAccess: jest.fn(),
    createNamespace: jest.fn(),
    listNamespaces: jest.fn(),
    getNamespace: jest.fn(),
    listCredentials: jest.fn(),
    createCredential: jest.fn(),
    deleteCredential: jest.fn(),
    getCredentialValue: jest.fn(),
  };
}

export function cluster(
  name: string,
  phase: ClusterPhase,
  extra: Partial<Cluster['status']> = {},
): Cluster {
  return {
    name,
    owner: 'group:default/payments',
    distribution: 'eks',
    status: { phase, ...extra },
    revision: 1,
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
  };
}

/** A ResponseError as the client throws it for a REST API error. */
export function responseError(status: number, message: string) {
  const body = {
    error: { name: 'Error', message },
    request: { method: 'GET', url: '/' },
    response: { statusCode: status },
  };
  return ResponseError.fromResponse(
    new Response(JSON.stringify(body), {
      status,
      statusText: 'Error',
      headers: { 'content-type': 'application/json' },
    }) as any,
  );
}

/** Checkpoints that survive across handler runs, as a retried task sees them. */
export function checkpointStore() {
  const values = new Map<string, JsonValue | void>();
  return {
    values,
    async checkpoint<T extends JsonValue | void>(opts: {
      key: string;
      fn: () => Promise<T> | T;
    }): Promise<T> {
      if (values.has(opts.key)) return values.get(opts.key) as T;
      const value = await opts.fn();
      values.set(opts.key, value);
      return value;
    },
  };
}

export function context<TInput extends JsonObject>(
  input: TInput,
  options: {
    checkpoints?: ReturnType<typeof checkpointStore>;
    isDryRun?: boolean;
    signal?: AbortSignal;
  } = {},
) {
  const logger = mockServices.logger.mock();
  const ctx = createMockActionContext<TInput>({ input, logger });
  return {
    ...ctx,
    logger,
    ...(options.checkpoints && {
      checkpoint: options.checkpoints.checkpoint,
    }),
    isDryRun: options.isDryRun,
    signal: options.signal,
  } as ActionContext<any, any> & {
    logger: ReturnType<typeof mockServices.logger.mock>;
    output: jest.Mock;
  };
}

/** The outputs a handler set, as an object. */
export function outputs(ctx: { output: jest.Mock }) {
  return Object.fromEntries(ctx.output.mock.calls);
}

/** Runs an action's handler the way the engine does. */
export function run(action: TemplateAction<any, any>, ctx: ActionContext<any>) {
  return action.handler(ctx);
}

export const auth = mockServices.auth();
