import { Octokit } from '@octokit/rest';
import type {
  IssueCommentCreatedEvent,
  IssueCommentDeletedEvent,
  IssueCommentEditedEvent,
} from '@octokit/webhooks-types';
import { GitHubDouble, startGitHub } from './index';
import { fail, quiet, receiver } from './testSupport';

/** The fields of a delivered comment event a trigger engine reads. */
const keyFields = (e: IssueCommentCreatedEvent) => ({
  action: e.action,
  number: e.issue.number,
  isPull: e.issue.pull_request !== undefined,
  body: e.comment.body,
  author: e.comment.user.login,
  createdAt: e.comment.created_at,
  association: e.comment.author_association,
  repository: e.repository.full_name,
  sender: e.sender.login,
});

describe('GitHub double: issues and issue comments', () => {
  let gh: GitHubDouble;
  let octokit: Octokit;
  let outsider: Octokit;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  const owner = 'portal-org';
  const repo = 'svc';

  beforeAll(async () => {
    gh = await startGitHub();
    octokit = new Octokit({ baseUrl: gh.url, auth: gh.token, log: quiet });
    outsider = new Octokit({
      baseUrl: gh.url,
      auth: gh.addUser('outsider'),
      log: quiet,
    });
    hooks = await receiver('s3cret');
    await gh.createRepo(owner, repo, { autoInit: true });
    await octokit.rest.repos.createWebhook({
      owner,
      repo,
      events: ['issue_comment'],
      config: { url: hooks.url, content_type: 'json', secret: 's3cret' },
    });
    gh.createIssue(owner, repo, { title: 'An issue' });
    await gh.commitFile(owner, repo, {
      path: 'f.txt',
      content: 'f',
      branch: 'feature',
    });
    await gh.createPullRequest(owner, repo, { head: 'feature' });
  });

  afterAll(async () => {
    await gh.close();
    await hooks.close();
  });

  it('creates issues and reads them, pull requests included', async () => {
    const created = await outsider.rest.issues.create({
      owner,
      repo,
      title: 'Another',
      body: 'text',
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      number: 3,
      title: 'Another',
      body: 'text',
      state: 'open',
      user: { login: 'outsider' },
      author_association: 'NONE',
      comments: 0,
    });
    expect(created.data).not.toHaveProperty('pull_request');
    const pr = await octokit.rest.issues.get({ owner, repo, issue_number: 2 });
    expect(pr.data.pull_request).toMatchObject({
      url: `${gh.url}/repos/${owner}/${repo}/pulls/2`,
    });
    expect(
      (await fail(octokit.rest.issues.get({ owner, repo, issue_number: 9 })))
        .status,
    ).toBe(404);
    expect(
      (await fail(octokit.rest.issues.create({ owner, repo } as any))).data
        .errors,
    ).toEqual([{ resource: 'Issue', field: 'title', code: 'missing_field' }]);
  });

  it('comments on issues and pull requests and delivers issue_comment created', async () => {
    const onPull = await outsider.rest.issues.createComment({
      owner,
      repo,
      issue_number: 2,
      body: '/ok-to-test',
    });
    expect(onPull.status).toBe(201);
    expect(onPull.headers.location).toBe(onPull.data.url);
    expect(onPull.data).toMatchObject({
      body: '/ok-to-test',
      user: { login: 'outsider' },
      author_association: 'NONE',
      issue_url: `${gh.url}/repos/${owner}/${repo}/issues/2`,
      html_url: expect.stringContaining(`/pull/2#issuecomment-`),
    });
    expect(onPull.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(onPull.data.updated_at).toBe(onPull.data.created_at);
    const onIssue = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: 1,
      body: 'noted',
    });
    expect(onIssue.data.author_association).toBe('MEMBER');

    await gh.webhooksIdle();
    const created = hooks.of('issue_comment', 'created');
    expect(created.every(r => r.valid)).toBe(true);
    const [pull, issue] = created.map(r => r.body as IssueCommentCreatedEvent);
    expect(keyFields(pull)).toEqual({
      action: 'created',
      number: 2,
      isPull: true,
      body: '/ok-to-test',
      author: 'outsider',
      createdAt: onPull.data.created_at,
      association: 'NONE',
      repository: 'portal-org/svc',
      sender: 'outsider',
    });
    expect(pull.comment.id).toBe(onPull.data.id);
    expect(pull.issue.pull_request?.url).toContain('/pulls/2');
    expect(pull.issue.comments).toBe(1);
    expect(keyFields(issue)).toMatchObject({ number: 1, isPull: false });
    expect(issue.issue).not.toHaveProperty('pull_request');

    // The builder gives the same payload for a stored comment.
    const built = gh.webhooks.issueComment(owner, repo, onPull.data.id);
    expect(keyFields(built as IssueCommentCreatedEvent)).toEqual(
      keyFields(pull),
    );

    const errors = [
      await fail(
        octokit.rest.issues.createComment({
          owner,
          repo,
          issue_number: 99,
          body: 'x',
        }),
      ),
      await fail(
        octokit.rest.issues.createComment({
          owner,
          repo,
          issue_number: 1,
        } as any),
      ),
    ];
    expect(errors.map(e => e.status)).toEqual([404, 422]);
    expect(errors[1].data.errors).toEqual([
      { resource: 'IssueComment', field: 'body', code: 'missing_field' },
    ]);
  });

  it('lists comments with pagination and since, and gets one', async () => {
    gh.clock.set('2030-01-01T00:00:00Z');
    for (const body of ['a', 'b', 'c']) {
      gh.clock.advance(60_000);
      gh.createIssueComment(owner, repo, 2, { body });
    }
    const page = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: 2,
      per_page: 2,
    });
    expect(page.data.map(c => c.body)).toEqual(['/ok-to-test', 'a']);
    expect(page.headers.link).toContain('rel="next"');
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: 2,
      per_page: 2,
    });
    expect(all.map(c => c.body)).toEqual(['/ok-to-test', 'a', 'b', 'c']);
    const since = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: 2,
      since: '2030-01-01T00:02:00Z',
    });
    expect(since.data.map(c => [c.body, c.created_at])).toEqual([
      ['b', '2030-01-01T00:02:00Z'],
      ['c', '2030-01-01T00:03:00Z'],
    ]);
    const repoWide = await octokit.rest.issues.listCommentsForRepo({
      owner,
      repo,
      since: '2030-01-01T00:00:00Z',
      direction: 'desc',
    } as any);
    expect(repoWide.data.map(c => c.body)).toEqual(['c', 'b', 'a']);
    const one = await octokit.rest.issues.getComment({
      owner,
      repo,
      comment_id: all[3].id,
    });
    expect(one.data).toMatchObject({
      body: 'c',
      user: { login: 'portal-user' },
    });
    expect(
      (
        await fail(
          octokit.rest.issues.getComment({ owner, repo, comment_id: 1 }),
        )
      ).status,
    ).toBe(404);
    gh.clock.reset();
  });

  it('lets the author or a writer edit and delete a comment, with deliveries', async () => {
    const mine = await outsider.rest.issues.createComment({
      owner,
      repo,
      issue_number: 2,
      body: 'first',
    });
    const theirs = gh.createIssueComment(owner, repo, 2, {
      body: 'admin says',
    });
    const edited = await outsider.rest.issues.updateComment({
      owner,
      repo,
      comment_id: mine.data.id,
      body: 'second',
    });
    expect(edited.data.body).toBe('second');
    const denied = await fail(
      outsider.rest.issues.updateComment({
        owner,
        repo,
        comment_id: theirs.id,
        body: 'hijack',
      }),
    );
    expect(denied).toMatchObject({
      status: 403,
      data: { message: 'Must have push access to repository' },
    });
    expect(
      (
        await fail(
          outsider.rest.issues.deleteComment({
            owner,
            repo,
            comment_id: theirs.id,
          }),
        )
      ).status,
    ).toBe(403);
    // An admin of the repository may edit anyone's comment.
    await octokit.rest.issues.updateComment({
      owner,
      repo,
      comment_id: mine.data.id,
      body: 'moderated',
    });
    const deleted = await outsider.rest.issues.deleteComment({
      owner,
      repo,
      comment_id: mine.data.id,
    });
    expect(deleted.status).toBe(204);
    expect(
      (
        await fail(
          octokit.rest.issues.getComment({
            owner,
            repo,
            comment_id: mine.data.id,
          }),
        )
      ).status,
    ).toBe(404);

    await gh.webhooksIdle();
    const edits = hooks
      .of('issue_comment', 'edited')
      .map(r => r.body as IssueCommentEditedEvent);
    expect(
      edits.map(e => [e.changes.body?.from, e.comment.body, e.sender.login]),
    ).toEqual([
      ['first', 'second', 'outsider'],
      ['second', 'moderated', 'portal-user'],
    ]);
    const [gone] = hooks
      .of('issue_comment', 'deleted')
      .map(r => r.body as IssueCommentDeletedEvent);
    expect(gone.comment).toMatchObject({ id: mine.data.id, body: 'moderated' });
    expect(gone.issue.pull_request).toBeDefined();
  });

  it('dates comments and pushes from the clock, before and after a push', async () => {
    gh.clock.set('2031-06-01T12:00:00Z');
    await gh.commitFile(owner, repo, {
      path: 'g.txt',
      content: 'g',
      branch: 'later',
    });
    const pr = await gh.createPullRequest(owner, repo, { head: 'later' });
    expect(pr.updatedAt).toBe('2031-06-01T12:00:00Z');
    gh.clock.advance(30_000);
    const approval = gh.createIssueComment(owner, repo, pr.number, {
      body: '/ok-to-test',
    });
    gh.clock.advance(30_000);
    await gh.commitFile(owner, repo, {
      path: 'g.txt',
      content: 'g2',
      branch: 'later',
    });
    const api = await octokit.rest.pulls.get({
      owner,
      repo,
      pull_number: pr.number,
    });
    expect(approval.createdAt).toBe('2031-06-01T12:00:30Z');
    expect(api.data.updated_at).toBe('2031-06-01T12:01:00Z');
    expect(approval.createdAt < api.data.updated_at).toBe(true);

    // A comment can also be dated on its own, without moving the clock.
    const backdated = gh.createIssueComment(owner, repo, pr.number, {
      body: 'late review',
      createdAt: new Date('2031-06-01T11:59:00.500Z'),
    });
    expect(backdated.createdAt).toBe('2031-06-01T11:59:00Z');
    expect(gh.clock.iso()).toBe('2031-06-01T12:01:00Z');
    gh.clock.reset();
    expect(Math.abs(gh.clock.now() - Date.now())).toBeLessThan(1000);
  });
});
