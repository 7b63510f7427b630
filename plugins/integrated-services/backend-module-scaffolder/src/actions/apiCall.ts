import { AuthService } from '@backstage/backend-plugin-api';
import type { IntegratedServicesApi } from '@pipeline-portal/plugin-integrated-services-common';
import {
  callApi,
  initiatorToken,
  InitiatorContext,
  responseStatus,
  toActionError,
} from '@pipeline-portal/backend-kit';

export interface IntegratedServicesActionOptions {
  client: IntegratedServicesApi;
  auth: AuthService;
}

/** A token that makes the integrated services API see the user who runs the template. */
export function asUser(
  auth: AuthService,
  ctx: InitiatorContext,
): Promise<{ token: string }> {
  return initiatorToken(auth, ctx, 'integrated-services');
}

export { callApi as call, responseStatus as statusOf, toActionError };
