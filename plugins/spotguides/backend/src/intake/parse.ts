import { isZeroSha } from '../github/sha';
import { dedupKey, NewDelivery } from '../store';

/**
 * The queue row of one GitHub delivery: which repository, ref and commit it
 * is about and the key that makes a second delivery of the same change a
 * duplicate. Undefined when the body has no repository (nothing to run).
 */
export function toNewDelivery(
  id: string,
  event: string,
  payload: any,
): NewDelivery | undefined {
  const repository: unknown = payload?.repository?.full_name;
  if (typeof repository !== 'string' || !repository.includes('/')) {
    return undefined;
  }
  const action =
    typeof payload.action === 'string' ? payload.action : undefined;
  const base = { id, event, action, repository, payload };
  const keyed = (
    ref: string | undefined,
    sha: string | undefined,
    kind = event,
  ) => ({
    ...base,
    ref,
    sha,
    dedupKey: sha ? dedupKey({ repository, event: kind, ref, sha }) : undefined,
  });
  switch (event) {
    case 'push': {
      const after = isZeroSha(payload.after) ? undefined : payload.after;
      return keyed(payload.ref, after);
    }
    case 'pull_request': {
      const pr = payload.pull_request;
      return keyed(
        pr?.number !== undefined ? `refs/pull/${pr.number}/head` : undefined,
        pr?.head?.sha,
        `pull_request.${action}`,
      );
    }
    case 'deployment': {
      const d = payload.deployment;
      return keyed(d?.ref, d?.sha, `deployment.${d?.id}`);
    }
    case 'issue_comment': {
      // A comment is acted on once, whichever delivery brings it.
      const comment = payload.comment?.id;
      return {
        ...base,
        ref: undefined,
        sha: undefined,
        dedupKey:
          comment === undefined
            ? undefined
            : dedupKey({
                repository,
                event: `issue_comment.${action}`,
                ref: String(comment),
              }),
      };
    }
    default:
      // Other events: every delivery counts.
      return {
        ...base,
        ref: undefined,
        sha: undefined,
        dedupKey: undefined,
      };
  }
}
