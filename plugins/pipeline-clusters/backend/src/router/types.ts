import { HttpAuthService } from '@backstage/backend-plugin-api';
import { ClusterAuthorization } from '../permissions/authorization';
import { ServiceAccess } from '../permissions/serviceAccess';
import { ClusterService } from '../service/ClusterService';
import { CredentialService } from '../service/CredentialService';
import { NamespaceService } from '../service/NamespaceService';
import type { ApiRouter as TypedApiRouter } from '@backstage/backend-openapi-utils';
import { spec } from '../schema/openapi/generated/router';

/** The router typed by the OpenAPI spec: unknown paths do not compile. */
export type ApiRouter = TypedApiRouter<typeof spec>;

/** What the resource routes need. */
export interface RouteDeps {
  httpAuth: HttpAuthService;
  authorization: ClusterAuthorization;
  service: ClusterService;
  credentials: CredentialService;
  namespaces: NamespaceService;
  /** Which plugins may call the service-to-service routes. */
  serviceAccess: ServiceAccess;
}
