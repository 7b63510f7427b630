import { createApp } from '@backstage/frontend-defaults';
import integratedServicesPlugin from '@pipeline-portal/plugin-integrated-services';
import pipelineClustersPlugin from '@pipeline-portal/plugin-pipeline-clusters';
import spotguidesPlugin from '@pipeline-portal/plugin-spotguides';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';

// Backstage's own plugins (catalog, scaffolder, Kubernetes, Tekton, search,
// notifications, ...) are discovered from this package's dependencies
// (`app.packages: all` in app-config.yaml); only the app's own modules are listed.
export default createApp({
  features: [
    navModule,
    signInModule,
    pipelineClustersPlugin,
    integratedServicesPlugin,
    spotguidesPlugin,
  ],
});
