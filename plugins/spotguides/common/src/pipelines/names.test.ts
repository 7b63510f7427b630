import { fnv1a64, pipelineRunName, toDnsLabel } from './names';

const input = {
  base: 'shop-build-',
  repository: 'acme/shop',
  pipeline: 'build',
  sha: '0123456789abcdef0123456789abcdef01234567',
  event: 'push',
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('pipelineRunName', () => {
  it('is the base, the short sha and a hash, and the same for the same input', () => {
    const name = pipelineRunName(input);
    expect(name).toMatch(/^shop-build-0123456-[0-9a-f]{10}$/);
    expect(pipelineRunName({ ...input })).toBe(name);
  });

  it.each([
    ['repository', { repository: 'acme/other' }],
    ['pipeline', { pipeline: 'ci' }],
    ['sha', { sha: '1123456789abcdef0123456789abcdef01234567' }],
    ['event', { event: 'pull_request' }],
    ['ref', { ref: 'refs/tags/v1' }],
    ['pull request', { pullRequest: 7 }],
    ['deployment id', { deploymentId: 42 }],
  ])('changes with the %s', (_what, change) => {
    expect(pipelineRunName({ ...input, ...change })).not.toBe(
      pipelineRunName(input),
    );
  });

  it('tells pull requests and deployments apart by number', () => {
    expect(pipelineRunName({ ...input, pullRequest: 1 })).not.toBe(
      pipelineRunName({ ...input, pullRequest: 2 }),
    );
    expect(pipelineRunName({ ...input, deploymentId: 1 })).not.toBe(
      pipelineRunName({ ...input, deploymentId: 2 }),
    );
  });

  it('stays a DNS label of at most 63 characters for any base', () => {
    for (const base of [
      'x'.repeat(200),
      'My_Service--Build-',
      '---',
      '',
      'a.b.c-',
    ]) {
      const name = pipelineRunName({ ...input, base });
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(DNS_LABEL);
    }
    expect(pipelineRunName({ ...input, base: '---' })).toMatch(
      /^build-0123456-/,
    );
    expect(pipelineRunName({ ...input, base: 'x'.repeat(200) })).toHaveLength(
      63,
    );
  });
});

describe('toDnsLabel and fnv1a64', () => {
  it('makes labels', () => {
    expect(toDnsLabel('Hello World_1!')).toBe('hello-world-1');
    expect(toDnsLabel('abc-def', 4)).toBe('abc');
  });

  it('hashes as FNV-1a 64', () => {
    // Reference values of FNV-1a 64.
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });
});
