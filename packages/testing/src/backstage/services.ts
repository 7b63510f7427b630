import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';

/**
 * mockServices.auth, except that a plugin's token on behalf of a user carries
 * the plugin as actor, as DefaultAuthService's tokens do in production. The
 * permission backend refuses resource permissions without a resourceRef
 * from users acting directly, and tells them apart by that actor; the mock
 * drops it, so every conditional decision a plugin asks for would fail.
 */
export const pluginActorAuthServiceFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { pluginMetadata: coreServices.pluginMetadata },
  factory({ pluginMetadata }): AuthService {
    const pluginId = pluginMetadata.getId();
    const inner = mockServices.auth({ pluginId });
    return {
      authenticate: (token, options) => inner.authenticate(token, options),
      getNoneCredentials: () => inner.getNoneCredentials(),
      getOwnServiceCredentials: () => inner.getOwnServiceCredentials(),
      isPrincipal: ((credentials: BackstageCredentials, type: any) =>
        inner.isPrincipal(credentials, type)) as AuthService['isPrincipal'],
      getLimitedUserToken: credentials =>
        inner.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => inner.listPublicServiceKeys(),
      async getPluginRequestToken(options) {
        const principal = options.onBehalfOf.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type === 'user' && principal.userEntityRef) {
          return {
            token: mockCredentials.user.token(principal.userEntityRef, {
              actor: { subject: `plugin:${pluginId}` },
            }),
          };
        }
        return inner.getPluginRequestToken(options);
      },
    };
  },
});

/**
 * The user info service with each user's groups (mockServices.userInfo only
 * knows the user itself): `ownership` maps a user's ref to its ownership refs.
 */
export function userInfoServiceFactory(ownership: Record<string, string[]>) {
  return createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory(): UserInfoService {
      return {
        async getUserInfo(credentials: BackstageCredentials) {
          const principal = credentials.principal as {
            type: string;
            userEntityRef?: string;
          };
          if (principal.type !== 'user' || !principal.userEntityRef) {
            throw new Error(
              `user info not available for principal type ${principal.type}`,
            );
          }
          const ref = principal.userEntityRef;
          return {
            userEntityRef: ref,
            ownershipEntityRefs: ownership[ref] ?? [ref],
          };
        },
      };
    },
  });
}
