import {
  DatabaseService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { databaseHealth } from '@pipeline-portal/backend-health';
import express, { ErrorRequestHandler } from 'express';
import { ClusterAuthorization } from '../permissions/authorization';
import { ServiceAccess } from '../permissions/serviceAccess';
import { createOpenApiRouter } from '../schema/openapi/generated/router';
import { ClusterService } from '../service/ClusterService';
import { CredentialService } from '../service/CredentialService';
import { NamespaceService } from '../service/NamespaceService';
import { clusterReaders, clusterRoutes } from './clusters';
import { credentialReaders, credentialRoutes } from './credentials';
import { namespaceReaders, namespaceRoutes } from './namespaces';
import { RequestReaders } from './parse';

type RawParams = Record<string, string>;

export interface RouterOptions {
  logger: LoggerService;
  database: DatabaseService;
  httpAuth: HttpAuthService;
  authorization: ClusterAuthorization;
  service: ClusterService;
  credentials: CredentialService;
  namespaces: NamespaceService;
  serviceAccess: ServiceAccess;
}

const readers: RequestReaders = {
  ...clusterReaders,
  ...namespaceReaders,
  ...credentialReaders,
};

/**
 * Sees only what the OpenAPI validator refused (it sits before every
 * route). The caller is authenticated first, as every route does; then the
 * operation's zod reading words the refusal as the routes do, naming each
 * field. What only the spec refuses keeps the validator's message, which
 * names the field by its path in the request.
 */
/** Who an operation accepts, from the OpenAPI document's extensions. */
function principalsOf(
  operation: Record<string, any>,
): Array<'user' | 'service'> {
  if (operation['x-service-to-service-only']) return ['service'];
  if (operation['x-user-only']) return ['user'];
  return ['user', 'service'];
}

function explainRefusal(
  httpAuth: HttpAuthService,
  serviceAccess: ServiceAccess,
): ErrorRequestHandler {
  return (error, req, _res, next) => {
    const { openapi } = req as {
      openapi?: { schema?: Record<string, any>; pathParams?: RawParams };
    };
    const operation = openapi?.schema;
    const read = operation?.operationId && readers[operation.operationId];
    if (!(error instanceof InputError) || !read) {
      next(error);
      return;
    }
    const allow = principalsOf(operation);
    // No route has matched yet: the path parameters are the validator's.
    const raw = {
      params: openapi?.pathParams ?? {},
      query: req.query,
      body: req.body,
    };
    httpAuth
      .credentials(req, { allow })
      .then(credentials => {
        // A plugin not on the route's list is refused before its input is read.
        serviceAccess.requireFor(operation.operationId, credentials);
        read(raw);
        next(error);
      })
      .catch(next);
  };
}

/** The REST API, served through the router generated from openapi.yaml. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { logger, database, httpAuth, service } = options;
  const router = await createOpenApiRouter({
    middleware: [express.json({ limit: '512kb' })],
    // Tokens are httpAuth's to check: a missing one is a 401, not a 400.
    validatorOptions: { validateSecurity: false },
  });
  router.use(explainRefusal(httpAuth, options.serviceAccess));

  // Liveness of the plugin and of its own database.
  router.get('/health', databaseHealth({ logger, database }));

  router.get('/settings', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json(service.settings());
  });

  clusterRoutes(router, options);
  namespaceRoutes(router, options);
  credentialRoutes(router, options);
  return router;
}
