import * as g from './git';
import type { RepoRecord } from './model';
import { followPushes } from './pulls';
import type { Deps } from './routes/common';
import type { RefChange } from './smartHttp';

/**
 * What follows a push (git smart HTTP or `commitFile`): `pushed_at`, the
 * default branch of a repository that was empty, pull request heads, and,
 * when `autoDeliver`, the `create`, `push` and `synchronize` deliveries.
 */
export function afterPush(deps: Deps, autoDeliver: boolean) {
  const { store, payloads } = deps;
  return async (repo: RepoRecord, changes: RefChange[], pusher: string) => {
    repo.pushedAt = store.now();
    const branches = changes.filter(
      c => c.ref.startsWith('refs/heads/') && c.after !== g.ZERO_SHA,
    );
    if (
      branches.length &&
      !(await g.resolveCommit(repo.gitDir, `refs/heads/${repo.defaultBranch}`))
    ) {
      // The first push into an empty repository sets its default branch.
      repo.defaultBranch = branches[0].ref.slice('refs/heads/'.length);
      await g.setHead(repo.gitDir, repo.defaultBranch);
    }
    if (autoDeliver) {
      for (const c of changes) {
        const isTag = c.ref.startsWith('refs/tags/');
        if (
          c.before === g.ZERO_SHA &&
          c.after !== g.ZERO_SHA &&
          (isTag || c.ref.startsWith('refs/heads/'))
        ) {
          deps.dispatch(
            repo,
            'create',
            payloads.create(repo, {
              ref: c.ref,
              refType: isTag ? 'tag' : 'branch',
              sender: pusher,
            }),
          );
        }
        deps.dispatch(
          repo,
          'push',
          payloads.push(repo, {
            ref: c.ref,
            before: c.before,
            after: c.after,
            sender: pusher,
          }),
        );
      }
    }
    await followPushes(deps, repo, changes, pusher, autoDeliver);
  };
}
