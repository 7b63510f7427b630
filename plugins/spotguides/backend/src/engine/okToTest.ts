import { GitHubClients } from '../github/octokit';
import { hasWriteAccess } from '../github/repoApi';
import { ClaimedDelivery, DeliveryStore, Outcome } from '../store';

/**
 * An `/ok-to-test` comment on a pull request: when a collaborator (write
 * access) wrote it, the pull request's latest delivery before the comment
 * runs if it waits for approval. Approval is for that commit only: a later
 * push to the fork waits again.
 */
export async function approvalTarget(
  d: ClaimedDelivery,
  o: { github: GitHubClients; deliveries: DeliveryStore },
): Promise<Outcome | { payload: any }> {
  const p = d.payload;
  if (!p.issue?.pull_request) {
    return {
      decision: 'no-match',
      reason: 'a comment on an issue, not on a pull request',
    };
  }
  if (p.action !== 'created') {
    return { decision: 'no-match', reason: `comment ${p.action}` };
  }
  const firstLine = String(p.comment?.body ?? '')
    .trim()
    .split('\n')[0]
    .trim();
  if (firstLine !== '/ok-to-test') {
    return { decision: 'no-match', reason: 'the comment is not /ok-to-test' };
  }
  const login = String(p.comment?.user?.login ?? '');
  const client = await o.github.forRepository(String(p.repository?.html_url));
  if (!(await hasWriteAccess(client, d.repository, login))) {
    return {
      decision: 'refused',
      reason: `${login} has no write access to ${d.repository} and cannot approve`,
    };
  }
  const number = Number(p.issue.number);
  const latest = await o.deliveries.latestPullRequestDelivery(
    d.repository,
    number,
    d.receivedAt,
  );
  if (!latest) {
    return {
      decision: 'no-match',
      reason: `no delivery of pull request #${number} is known`,
    };
  }
  const waiting = latest.decision === 'needs-approval' ? latest : undefined;
  if (!waiting) {
    return {
      decision: 'no-match',
      reason: `pull request #${number} at ${latest.sha?.slice(
        0,
        7,
      )} does not wait for approval (${latest.decision})`,
    };
  }
  return { payload: waiting.payload };
}
