import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  AksStrategy,
  AnonymousStrategy,
  AwsIamStrategy,
  AzureIdentityStrategy,
  GoogleServiceAccountStrategy,
  GoogleStrategy,
  OidcStrategy,
  ServiceAccountStrategy,
} from '@backstage/plugin-kubernetes-backend';
import { AuthenticationStrategy } from '@backstage/plugin-kubernetes-node';
import { ClusterCredentials } from './ClusterCredentials';
import { PipelineClustersAuthStrategy } from './PipelineClustersAuthStrategy';

/**
 * The Kubernetes plugin's auth strategies with `serviceAccount` extended to
 * portal clusters.
 *
 * Adding any strategy through `kubernetesAuthStrategyExtensionPoint` makes
 * the plugin use the added ones instead of its defaults, so the defaults are
 * registered again here, built as the plugin builds them
 * (`buildDefaultAuthStrategyMap`); a test fails when an upgrade changes that
 * list.
 */
export function authStrategies(options: {
  config: RootConfigService;
  logger: LoggerService;
  credentials: ClusterCredentials;
}): Array<[string, AuthenticationStrategy]> {
  const { config, logger, credentials } = options;
  return [
    ['aks', new AksStrategy()],
    ['aws', new AwsIamStrategy({ config })],
    ['azure', new AzureIdentityStrategy(logger)],
    ['google', new GoogleStrategy()],
    ['googleServiceAccount', new GoogleServiceAccountStrategy({ config })],
    ['localKubectlProxy', new AnonymousStrategy()],
    ['oidc', new OidcStrategy()],
    [
      'serviceAccount',
      new PipelineClustersAuthStrategy(
        credentials,
        new ServiceAccountStrategy(),
      ),
    ],
  ];
}
