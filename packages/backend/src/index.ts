/*
 * Pipeline Portal backend: Backstage core plugins plus the portal's own.
 * Wiring only; every piece of logic lives in a plugin or module package.
 */
// First: metrics must be registered before any plugin creates its meters.
import './instrumentation';
import { createBackend } from '@backstage/backend-defaults';
import { startBackend } from '@pipeline-portal/backend-preflight';
import { eventsServiceFactoryWithLocalTopics } from '@pipeline-portal/plugin-events-backend-module-spotguides';

const backend = createBackend();

// Serves the built frontend
backend.add(import('@backstage/plugin-app-backend'));

// Sign-in: guest in development, GitHub and OIDC in production
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-oidc-provider'));

// Catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(
  import('@pipeline-portal/plugin-catalog-backend-module-pipeline-clusters'),
);
backend.add(
  import('@pipeline-portal/plugin-catalog-backend-module-integrated-services'),
);

// Scaffolder
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
backend.add(
  import('@pipeline-portal/plugin-scaffolder-backend-module-pipeline-clusters'),
);
backend.add(
  import('@pipeline-portal/plugin-scaffolder-backend-module-spotguides'),
);
backend.add(
  import(
    '@pipeline-portal/plugin-scaffolder-backend-module-integrated-services'
  ),
);

// Kubernetes
backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(
  import('@pipeline-portal/plugin-kubernetes-backend-module-pipeline-clusters'),
);

// Permissions: the portal's role-based policy
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@pipeline-portal/plugin-permission-backend-module-policy'));

// Events: GitHub webhooks arrive here; without a valid signature (or with no
// webhook secret configured) a delivery is refused. GitHub deliveries stay in
// the replica that received them (the trigger engine queues them in the
// database); other topics go through the event bus.
backend.add(eventsServiceFactoryWithLocalTopics);
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-events-backend-module-github'));
backend.add(import('@pipeline-portal/plugin-events-backend-module-spotguides'));

// Search: the catalog collator; the PostgreSQL engine when on PostgreSQL
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// Notifications, signals and user settings
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-user-settings-backend'));

// Pipeline Portal capabilities
backend.add(import('@pipeline-portal/plugin-pipeline-clusters-backend'));
backend.add(import('@pipeline-portal/plugin-integrated-services-backend'));
backend.add(import('@pipeline-portal/plugin-spotguides-backend'));

// A wrong config stops start-up with one line naming the key, not retries and
// stack dumps; replicas on one PostgreSQL start one after another; a failed
// start exits non-zero so that the supervisor restarts the replica.
startBackend(backend);
