import { mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { JsonObject } from '@backstage/types';
import type {
  IntegratedServicesApi,
  PreviewResult,
  ServiceInstanceView,
} from '@pipeline-portal/plugin-integrated-services-common';

export type MockClient = jest.Mocked<IntegratedServicesApi>;

export function mockClient(): MockClient {
  return {
    listServices: jest.fn(),
    getService: jest.fn(),
    getPlan: jest.fn(),
    listInstances: jest.fn(),
    listClusterInstances: jest.fn(),
    getInstance: jest.fn(),
    previewInstance: jest.fn(),
    putInstance: jest.fn(),
    deleteInstance: jest.fn(),
  };
}

export const auth = mockServices.auth();

export function preview(version: string, path: string[]): PreviewResult {
  return {
    cluster: 'payments-prod',
    service: 'cert-manager',
    version,
    instance: {},
    objects: [],
    values: {},
    valuesDiff: [],
    plan: {
      from: path.length > 1 ? path[0] : undefined,
      to: version,
      direction: path.length > 1 ? 'upgrade' : 'install',
      path,
      steps: [],
    },
  };
}

export function view(
  desired: Partial<ServiceInstanceView['desired']> = {},
): ServiceInstanceView {
  return {
    cluster: 'payments-prod',
    service: 'cert-manager',
    managedBy: 'portal',
    desired: {
      version: '1.14.7',
      enabled: true,
      spec: {},
      overrides: {},
      ...desired,
    },
    status: {
      phase: 'Ready',
      upToDate: true,
      conditions: [],
      availableTargets: [],
      unreachable: [],
      drift: [],
    },
  };
}

/** A ResponseError as the client throws it for a REST API error. */
export function responseError(status: number, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'Error', message },
        request: { method: 'PUT', url: '/' },
        response: { statusCode: status },
      }),
      { status, headers: { 'Content-Type': 'application/json' } },
    ),
  );
}

/** An action context whose checkpoints run once per key, as a task's do. */
export function context(input: Record<string, unknown>, isDryRun = false) {
  const done = new Map<string, unknown>();
  const ctx = createMockActionContext({ input: input as JsonObject });
  (ctx as { isDryRun?: boolean }).isDryRun = isDryRun;
  ctx.checkpoint = (async ({ key, fn }: { key: string; fn: () => any }) => {
    if (!done.has(key)) done.set(key, await fn());
    return done.get(key);
  }) as any;
  return ctx;
}

/** The outputs an action gave, by name. */
export function outputs(ctx: { output: unknown }) {
  return Object.fromEntries((ctx.output as jest.Mock).mock.calls);
}
