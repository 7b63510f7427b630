import { InputError } from '@backstage/errors';
import { parseTriggers } from './parseTriggers';

describe('parseTriggers', () => {
  it('reads one event as a string', () => {
    const t = parseTriggers('push');
    expect(Object.keys(t)).toEqual(['push']);
    expect(t.push!.filters).toEqual({});
  });

  it('reads a list of events', () => {
    const t = parseTriggers('[push, pull_request, deployment]');
    expect(Object.keys(t).sort()).toEqual([
      'deployment',
      'pull_request',
      'push',
    ]);
    expect(t.pull_request!.types).toEqual([
      'opened',
      'synchronize',
      'reopened',
    ]);
    expect(t.pull_request!.typesGiven).toBe(false);
  });

  it('reads a map of events with filters, types and empty bodies', () => {
    const t = parseTriggers(`
push:
  branches: [main, 'releases/**']
  paths: ['src/**']
pull_request:
  types: [opened, closed]
  branches-ignore: main
deployment: {}
`);
    expect(t.push!.filters.branches!.toString()).toBe('main, releases/**');
    expect(t.push!.filters.paths!.toString()).toBe('src/**');
    expect(t.pull_request!.types).toEqual(['opened', 'closed']);
    expect(t.pull_request!.typesGiven).toBe(true);
    expect(t.pull_request!.filters['branches-ignore']!.toString()).toBe('main');
    expect(t.deployment).toEqual({});
    expect(parseTriggers('deployment:').deployment).toEqual({});
  });

  it.each([
    [
      'push:\n  branches: [main]\n  branches-ignore: [dev]',
      /push\.branches: branches and branches-ignore cannot both be set/,
    ],
    [
      'push:\n  tags: [v*]\n  tags-ignore: [v0*]',
      /push\.tags: tags and tags-ignore cannot both be set/,
    ],
    [
      'pull_request:\n  paths: [a]\n  paths-ignore: [b]',
      /pull_request\.paths: paths and paths-ignore/,
    ],
    [
      'schedule:\n  - cron: "0 0 * * *"',
      /schedule: unsupported event 'schedule' \(supported: push, pull_request, deployment\)/,
    ],
    [
      '[push, workflow_dispatch]',
      /on\[1\]: unsupported event 'workflow_dispatch'/,
    ],
    ['on:\n  push: {}', /on: write the value of `on:` without/],
    [
      'pull_request:\n  tags: [v1]',
      /pull_request\.tags: not a filter of pull_request/,
    ],
    ['push:\n  types: [created]', /push\.types: not a filter of push/],
    [
      'deployment:\n  environments: [prod]',
      /deployment\.environments: deployment takes no filters/,
    ],
    [
      'pull_request:\n  types: [opened, merged]',
      /pull_request\.types\[1\]: 'merged' is not a pull_request activity type/,
    ],
    ['push:\n  branches: []', /push\.branches: the list is empty/],
    ['push:\n  tags: [1.0]', /push\.tags\[0\]: expected a string, got 1/],
    [
      "push:\n  branches: ['!main']",
      /push\.branches: every pattern starts with '!'/,
    ],
    [
      "push:\n  paths: ['src/[a']",
      /push\.paths: 'src\/\[a' has a bad \[\] class/,
    ],
    ['push: [main]', /push: expected a mapping of filters/],
    ['push:\n  branches: [main', /YAML: /],
    [
      '42',
      /on: expected an event, a list of events or a map of events, got 42/,
    ],
    ['[]', /on: the list of events is empty/],
    ['[push, push]', /push: the event is listed twice/],
  ])('refuses %j naming the field', (text, message) => {
    expect(() => parseTriggers(text)).toThrow(InputError);
    expect(() => parseTriggers(text)).toThrow(message);
  });

  it('prefixes every error with the annotation name', () => {
    expect(() => parseTriggers('nope')).toThrow(
      /^pipeline-portal\.io\/on: on: /,
    );
  });

  it('allows negations alone in an -ignore filter', () => {
    const t = parseTriggers("push:\n  paths-ignore: ['!src/**']");
    expect(t.push!.filters['paths-ignore']!.toString()).toBe('!src/**');
  });
});
