import { GitHubClients, classifyGitHubError } from '../github/octokit';
import { hasWriteAccess } from '../github/repoApi';
import { ClaimedDelivery, DeliveryStore, Outcome } from '../store';
import { TransientError } from './errors';

const time = (value: unknown) =>
  typeof value === 'string' ? Date.parse(value) : NaN;

/**
 * An `/ok-to-test` comment on a pull request approves the commit that was
 * the pull request's head when the comment was written, and nothing else:
 *
 * - the head at that time is the newest stored delivery of the pull request
 *   whose `pull_request.updated_at` (GitHub's clock, like the comment's
 *   `created_at`) is not later than the comment, so a push made after the
 *   comment waits for another approval;
 * - when GitHub says the head has moved to a commit whose delivery has not
 *   arrived yet, the comment waits for it (it may have been pushed before the
 *   comment, in which case the approver saw that commit instead);
 * - a comment is acted on once: the intake drops a second delivery of the
 *   same comment id as a duplicate, and a replayed comment, being as old as
 *   the original, approves nothing newer.
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
  const writtenAt = time(p.comment?.created_at);
  if (!Number.isFinite(writtenAt)) {
    return {
      decision: 'refused',
      reason: 'the comment carries no creation time to approve against',
    };
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
  const known = await o.deliveries.pullRequestDeliveries(d.repository, number);
  const seen = known
    .filter(k => time(k.payload?.pull_request?.updated_at) <= writtenAt)
    .at(-1);
  if (!seen) {
    return {
      decision: 'no-match',
      reason: `no delivery of pull request #${number} from before the comment is known`,
    };
  }
  const [owner, repo] = d.repository.split('/');
  let head: string;
  try {
    const { data } = await client.rest.pulls.get({
      owner,
      repo,
      pull_number: number,
    });
    head = data.head.sha;
  } catch (error) {
    if ((error as { status?: number }).status === 404) {
      return {
        decision: 'no-match',
        reason: `pull request #${number} does not exist`,
      };
    }
    throw classifyGitHubError(error, `reading pull request #${number}`);
  }
  if (head !== seen.sha && !known.some(k => k.sha === head)) {
    throw new TransientError(
      `pull request #${number} is now at ${head.slice(
        0,
        7,
      )}, whose delivery has not arrived: waiting for it to tell which commit was approved`,
    );
  }
  if (seen.decision === 'pending') {
    throw new TransientError(
      `the delivery of pull request #${number} at ${seen.sha?.slice(
        0,
        7,
      )} is not processed yet`,
    );
  }
  if (seen.decision !== 'needs-approval') {
    return {
      decision: 'no-match',
      reason: `pull request #${number} at ${seen.sha?.slice(
        0,
        7,
      )} (its head when the comment was written) does not wait for approval (${
        seen.decision
      })`,
    };
  }
  return { payload: seen.payload };
}
