import { planEvent } from './eventPlan';

const repository = {
  full_name: 'acme/shop',
  clone_url: 'https://github.com/acme/shop.git',
  html_url: 'https://github.com/acme/shop',
  default_branch: 'main',
};
const sha = (c: string) => c.repeat(40);

const pullRequest = (headRepo: string, baseRef = 'main') => ({
  action: 'opened',
  repository,
  sender: { login: 'someone' },
  pull_request: {
    number: 7,
    user: { login: 'someone' },
    head: { sha: sha('b'), ref: 'feature', repo: { full_name: headRepo } },
    base: { sha: sha('a'), ref: baseRef, repo: { full_name: 'acme/shop' } },
  },
});

describe('planEvent', () => {
  it('reads a push at its new head, with the changed files of its commits', () => {
    const plan = planEvent(
      'push',
      {
        ref: 'refs/heads/main',
        before: sha('a'),
        after: sha('b'),
        commits: [
          { added: ['a.ts'], modified: ['b.ts'], removed: [] },
          { modified: ['a.ts'] },
        ],
        head_commit: { message: 'fix [skip ci]' },
        repository,
      },
      { pipelinesFromHead: false },
    );
    expect(plan).toMatchObject({
      trigger: {
        name: 'push',
        ref: 'refs/heads/main',
        changedFiles: ['a.ts', 'b.ts'],
        message: 'fix [skip ci]',
      },
      context: {
        revision: sha('b'),
        branch: 'main',
        repoOwner: 'acme',
        repoName: 'shop',
        event: 'push',
      },
      readRef: sha('b'),
      statusSha: sha('b'),
    });
  });

  it('leaves changed files unknown for a new branch and takes a tag from the ref', () => {
    const plan = planEvent(
      'push',
      {
        ref: 'refs/tags/v1.2.3',
        before: sha('0'),
        after: sha('c'),
        created: true,
        commits: [],
        repository,
      },
      { pipelinesFromHead: false },
    );
    expect(plan).toMatchObject({ context: { tag: 'v1.2.3' } });
    expect((plan as any).trigger.changedFiles).toBeUndefined();
  });

  it('starts nothing for a deleted branch or an unknown event', () => {
    expect(
      planEvent(
        'push',
        { ref: 'refs/heads/x', after: sha('0'), repository },
        { pipelinesFromHead: false },
      ),
    ).toBe('refs/heads/x was deleted');
    expect(
      planEvent('star', { repository }, { pipelinesFromHead: false }),
    ).toBe('star events start no pipeline');
  });

  it('reads pull request pipelines from the default branch unless the repository opts in', () => {
    const fromBase = planEvent('pull_request', pullRequest('acme/shop'), {
      pipelinesFromHead: false,
    });
    expect(fromBase).toMatchObject({
      readRef: sha('a'),
      statusSha: sha('b'),
      context: { revision: sha('b'), pullRequest: 7, branch: 'feature' },
      pullRequest: { fork: false, author: 'someone' },
    });
    const fromHead = planEvent('pull_request', pullRequest('acme/shop'), {
      pipelinesFromHead: true,
    });
    expect(fromHead).toMatchObject({ readRef: sha('b') });
    const toRelease = planEvent(
      'pull_request',
      pullRequest('acme/shop', 'release'),
      {
        pipelinesFromHead: false,
      },
    );
    expect(toRelease).toMatchObject({ readRef: 'main' });
  });

  it('tells a fork pull request apart', () => {
    expect(
      planEvent('pull_request', pullRequest('mallory/shop'), {
        pipelinesFromHead: false,
      }),
    ).toMatchObject({
      pullRequest: { fork: true },
    });
  });

  it('passes a deployment its environment, and no branch when its ref is a commit', () => {
    const plan = planEvent(
      'deployment',
      {
        deployment: {
          id: 42,
          sha: sha('d'),
          ref: sha('d'),
          environment: 'production',
        },
        repository,
      },
      { pipelinesFromHead: false },
    );
    expect(plan).toMatchObject({
      trigger: { name: 'deployment' },
      context: {
        environment: 'production',
        deploymentId: 42,
        revision: sha('d'),
      },
    });
    expect((plan as any).context.branch).toBeUndefined();
  });
});
