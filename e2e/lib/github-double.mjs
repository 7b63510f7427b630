// Runs github-double.ts as its own process and hands back how to reach it.
import { startDoubleProcess } from './double.mjs';

/**
 * @param {object} [options]
 * @param {string[]} [options.orgs] organizations to create (default storefront)
 * @returns {Promise<{ url: string, webUrl: string, host: string, token: string, stop(): Promise<void>, output(): string }>}
 */
export function startGitHubDouble(options = {}) {
  return startDoubleProcess('GitHub double', 'github-double.ts', {
    GITHUB_ORGS: (options.orgs ?? ['storefront']).join(','),
  });
}
