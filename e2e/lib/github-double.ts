/*
 * GitHub for browser tests: the GitHub double (REST, git smart HTTP, signed
 * webhook deliveries) with an organization. Started by github-double.mjs;
 * prints one JSON line { url, webUrl, host, token } and serves until SIGTERM /
 * SIGINT. Its state is read over its own REST API.
 */
import { startGitHub } from '../../packages/testing/src/github';

async function main() {
  const orgs = (process.env.GITHUB_ORGS ?? 'storefront').split(',');
  const gh = await startGitHub({ orgs, autoDeliverPushEvents: true });
  process.stdout.write(
    `${JSON.stringify({
      url: gh.url,
      webUrl: gh.webUrl,
      host: gh.host,
      token: gh.token,
    })}\n`,
  );
  const stop = async () => {
    await gh.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch(err => {
  process.stderr.write(
    `github-double: ${err && err.stack ? err.stack : err}\n`,
  );
  process.exit(1);
});
