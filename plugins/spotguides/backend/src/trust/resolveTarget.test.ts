import type { ComponentTarget } from '../engine/ComponentDirectory';
import type { Binding } from '../store';
import { resolveTarget } from './resolveTarget';

const REPO = 'org/shop';

const claimant = (
  name: string,
  options: { from?: string; owner?: string } = {},
): ComponentTarget => ({
  entityRef: `component:default/${name}`,
  owner: options.owner ?? 'group:default/team-a',
  kubernetesId: name,
  cluster: 'dev',
  namespace: 'team-a',
  pipelinesFromHead: false,
  origin: { host: 'github.com', repository: options.from ?? REPO },
  location: `url:https://github.com/${
    options.from ?? REPO
  }/blob/main/catalog-info.yaml`,
});

const binding = (
  entityRef: string,
  owner = 'group:default/team-a',
): Binding => ({
  repository: REPO,
  entityRef,
  owner,
  boundBy: 'user:default/bob',
  boundAt: '2026-12-07T10:00:00.000Z',
});

describe('resolveTarget', () => {
  it('runs for the bound component registered from the repository, whatever else claims it', () => {
    const shop = claimant('shop');
    const decoy = claimant('aaa-decoy', {
      from: 'attacker/decoy',
      owner: 'group:default/team-b',
    });
    const result = resolveTarget({
      repository: REPO,
      host: 'github.com',
      claimants: [decoy, shop],
      binding: binding(shop.entityRef),
    });
    expect(result).toMatchObject({ kind: 'target', target: shop });
  });

  it('runs nothing for a repository that is not bound, however many components claim it, and says which', () => {
    const result = resolveTarget({
      repository: REPO,
      claimants: [claimant('a'), claimant('b')],
    });
    expect(result).toEqual({
      kind: 'waiting',
      reason: expect.stringContaining(
        'component:default/a, component:default/b',
      ),
    });
    expect(resolveTarget({ repository: REPO, claimants: [] })).toMatchObject({
      kind: 'waiting',
      reason: expect.stringContaining('no catalog component'),
    });
  });

  it('waits while the bound component is not in the catalog yet', () => {
    expect(
      resolveTarget({
        repository: REPO,
        claimants: [claimant('other')],
        binding: binding('component:default/shop'),
      }),
    ).toMatchObject({ kind: 'waiting' });
  });

  it('refuses a bound component registered from somewhere else than the repository', () => {
    const shop = claimant('shop', { from: 'attacker/shop' });
    expect(
      resolveTarget({
        repository: REPO,
        claimants: [shop],
        binding: binding(shop.entityRef),
      }),
    ).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('not from a file in org/shop'),
    });
    expect(
      resolveTarget({
        repository: REPO,
        host: 'ghe.example.com',
        claimants: [claimant('shop')],
        binding: binding('component:default/shop'),
      }),
    ).toMatchObject({ kind: 'refused' });
  });

  it('refuses when the component changed owner since it was bound', () => {
    const moved = claimant('shop', { owner: 'group:default/team-b' });
    expect(
      resolveTarget({
        repository: REPO,
        claimants: [moved],
        binding: binding(moved.entityRef, 'group:default/team-a'),
      }),
    ).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('group:default/team-b'),
    });
  });
});
