/*
 * GitHub for browser tests: the GitHub double (REST, git smart HTTP, signed
 * webhook deliveries) with an organization. Started by github-double.mjs;
 * prints one JSON line { url, webUrl, host, token } and serves until SIGTERM /
 * SIGINT. Its state is read over its own REST API.
 */
import { startGitHub } from '../../packages/testing/src/github';
import { serveDouble } from './serveDouble';

serveDouble('github-double', async () => {
  const orgs = (process.env.GITHUB_ORGS ?? 'storefront').split(',');
  const gh = await startGitHub({ orgs, autoDeliverPushEvents: true });
  return {
    ready: { url: gh.url, webUrl: gh.webUrl, host: gh.host, token: gh.token },
    stop: async () => {
      await gh.close();
    },
  };
});
