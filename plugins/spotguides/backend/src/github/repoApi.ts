import { classifyGitHubError, GitHubClient } from './octokit';

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

const split = (repository: string) => {
  const [owner, repo] = repository.split('/');
  return { owner, repo };
};

/** GitHub's description field holds at most 140 characters. */
const clip = (s: string) => (s.length > 140 ? `${s.slice(0, 139)}…` : s);

/** Sets a commit status (context `pipeline-portal/<pipeline>`). */
export async function setCommitStatus(
  client: GitHubClient,
  repository: string,
  sha: string,
  status: {
    context: string;
    state: CommitState;
    description: string;
    targetUrl?: string;
  },
): Promise<void> {
  try {
    await client.rest.repos.createCommitStatus({
      ...split(repository),
      sha,
      state: status.state,
      context: status.context,
      description: clip(status.description),
      ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
    });
  } catch (error) {
    throw classifyGitHubError(error, `setting ${status.context} on ${sha}`);
  }
}

/** True when the user may push to the repository (write, maintain or admin). */
export async function hasWriteAccess(
  client: GitHubClient,
  repository: string,
  login: string,
): Promise<boolean> {
  try {
    const res = await client.rest.repos.getCollaboratorPermissionLevel({
      ...split(repository),
      username: login,
    });
    return ['admin', 'write', 'maintain'].includes(res.data.permission);
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404) return false;
    throw classifyGitHubError(error, `reading ${login}'s permission`);
  }
}
