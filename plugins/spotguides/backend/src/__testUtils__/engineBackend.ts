/*
 * The trigger engine end to end: a test backend with the real events backend,
 * the portal's signature module (the upstream GitHub module is a feature
 * loader, which Jest here cannot load; it adds an equivalent validator), the spotguides
 * plugin on a TestDatabases database, a mock catalog holding the component,
 * a stand-in for the clusters plugin's access route, the GitHub double (with
 * the repository and its .tekton files) and the Kubernetes double with
 * Tekton's PipelineRun CRD.
 */
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import eventsPlugin from '@backstage/plugin-events-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import eventsModuleSpotguides from '@pipeline-portal/plugin-events-backend-module-spotguides';
import {
  GitHubDouble,
  KubeApi,
  startGitHub,
  startKubeApi,
} from '@pipeline-portal/testing';
import type { JsonObject } from '@backstage/types';
import express from 'express';
import { Knex } from 'knex';
import { AddressInfo } from 'node:net';
import { spotguidesPlugin } from '../plugin';
import { BindingStore } from '../store';
import {
  CLUSTER,
  component,
  locationIn,
  OWNER,
  REPO,
  REPOSITORY,
  SECRET,
  TEAM,
  TEKTON_FILES,
  teamNamespace,
} from './fixtures';

/**
 * The clusters plugin's `GET /clusters/:name/access` and
 * `GET /clusters/:name/namespaces/:namespace` for one cluster, the second
 * read from the namespace's portal label and owner annotation as the
 * clusters plugin reads them.
 */
const clustersAccessPlugin = (kube: KubeApi) =>
  createBackendPlugin({
    pluginId: 'pipeline-clusters',
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
        },
        async init({ httpRouter, httpAuth }) {
          const router = express.Router();
          router.get('/clusters/:name/access', async (req, res) => {
            await httpAuth.credentials(req, { allow: ['service'] });
            if (req.params.name !== CLUSTER) {
              res.status(404).json({ error: { message: 'not found' } });
              return;
            }
            res.json({
              name: CLUSTER,
              apiServer: kube.url,
              caData: kube.caData,
              token: kube.token,
            });
          });
          router.get('/clusters/:name/namespaces', async (req, res) => {
            await httpAuth.credentials(req, { allow: ['user', 'service'] });
            if (req.params.name !== CLUSTER) {
              res.status(404).json({
                error: { name: 'NotFoundError', message: 'not found' },
              });
              return;
            }
            const items = kube
              .list('v1', 'Namespace')
              .filter(
                ns =>
                  ns.metadata?.labels?.['pipeline-portal.io/managed-by'] ===
                  'pipeline-portal',
              )
              .map(ns => ({
                name: ns.metadata!.name,
                owner: ns.metadata!.annotations?.['pipeline-portal.io/owner'],
                team: ns.metadata!.labels?.['pipeline-portal.io/team'],
                phase: 'Active',
              }));
            res.json({ items });
          });
          httpRouter.use(router);
        },
      });
    },
  });

export interface EngineWorld {
  gh: GitHubDouble;
  kube: KubeApi;
  /** Starts (or restarts) the backend on the same database. */
  start(options?: {
    secret?: string | null;
    entities?: Entity[];
    config?: JsonObject;
  }): Promise<void>;
  stopBackend(): Promise<void>;
  /** The fixture component as the catalog holds it: read from the repository. */
  component(annotations?: Record<string, string>): Entity;
  /** The backend's base URL, `http://localhost:PORT`. */
  url(): string;
  webhookUrl(): string;
  /** Sends an event signed with the configured secret (or `secret`). */
  send(
    event: string,
    payload: unknown,
    secret?: string,
  ): ReturnType<GitHubDouble['sendWebhook']>;
  close(): Promise<void>;
}

/** Starts the doubles and seeds the repository; the backend on `start()`. */
export async function createEngineWorld(knex: Knex): Promise<EngineWorld> {
  const gh = await startGitHub({ rateLimit: 100_000 });
  const kube = await startKubeApi({
    crds: ['tekton.dev/pipelineruns.yaml', 'tekton.dev/tasks.yaml'],
  });
  kube.create(teamNamespace());
  // The spotguide bound the repository to its component when scaffolded.
  await (
    await BindingStore.create({ database: knex })
  ).put({
    repository: REPOSITORY,
    entityRef: 'component:default/shop',
    owner: TEAM,
    boundBy: 'user:default/bob',
  });
  await gh.createRepo(OWNER, REPO, { autoInit: true } as any);
  for (const [path, content] of Object.entries(TEKTON_FILES)) {
    await gh.commitFile(OWNER, REPO, { path, content, message: `add ${path}` });
  }
  let backend: Awaited<ReturnType<typeof startTestBackend>> | undefined;

  const world: EngineWorld = {
    gh,
    kube,
    async start(options = {}) {
      const secret = options.secret === undefined ? SECRET : options.secret;
      backend = await startTestBackend({
        features: [
          // The real events service, as createBackend() has it (the test
          // backend's default mock does not pass events between plugins).
          eventsServiceFactory,
          eventsPlugin,
          eventsModuleSpotguides,
          spotguidesPlugin,
          clustersAccessPlugin(kube),
          catalogServiceMock.factory({
            entities: options.entities ?? [world.component()],
          }),
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://portal.test' },
              integrations: {
                github: [
                  { host: gh.host, apiBaseUrl: gh.url, token: gh.token },
                ],
              },
              events: {
                // The bus's long polls hold shutdown for a minute; deliveries
                // never depend on it (the receiving replica queues them).
                useEventBus: 'never',
                ...(secret
                  ? { modules: { github: { webhookSecret: secret } } }
                  : {}),
              },
              pipelinePortal: {
                spotguides: {
                  trigger: {
                    pollIntervalMs: 50,
                    backoffBaseMs: 50,
                    backoffCapSeconds: 1,
                  },
                },
              },
              ...options.config,
            },
          }),
        ],
      });
    },
    component(annotations = {}) {
      return component({
        'backstage.io/managed-by-location': locationIn(gh.host),
        ...annotations,
      });
    },
    async stopBackend() {
      await backend?.stop();
      backend = undefined;
    },
    url() {
      if (!backend) throw new Error('backend not started');
      return `http://localhost:${
        (backend.server.address() as AddressInfo).port
      }`;
    },
    webhookUrl() {
      return `${world.url()}/api/events/http/github`;
    },
    send(event, payload, secret = SECRET) {
      return gh.sendWebhook(
        { url: world.webhookUrl(), secret },
        event as any,
        payload as any,
      );
    },
    async close() {
      await world.stopBackend();
      await gh.close();
      await kube.close();
    },
  };
  return world;
}

/** Polls until `fn` returns a value other than undefined/false. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 25));
  }
}
