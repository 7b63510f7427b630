import { mapWithConcurrency } from './mapWithConcurrency';

/** A call that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>(resolve => {
    open = resolve;
  });
  return { open, opened };
}

describe('mapWithConcurrency', () => {
  it('keeps at most `limit` calls in flight and the input order', async () => {
    const gates = [gate(), gate(), gate(), gate()];
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const done = mapWithConcurrency([0, 1, 2, 3], 2, async (n, i) => {
      started.push(n);
      inFlight++;
      most = Math.max(most, inFlight);
      await gates[n].opened;
      inFlight--;
      return `${n}@${i}`;
    });
    await new Promise(setImmediate);
    expect(started).toEqual([0, 1]);
    // The later one finishing first frees a slot for the next item.
    gates[1].open();
    await new Promise(setImmediate);
    expect(started).toEqual([0, 1, 2]);
    gates.forEach(g => g.open());
    await expect(done).resolves.toEqual(['0@0', '1@1', '2@2', '3@3']);
    expect(most).toBe(2);
  });

  it('returns an empty list for no items, and runs one at a time for a limit below one', async () => {
    await expect(mapWithConcurrency([], 4, async x => x)).resolves.toEqual([]);
    let inFlight = 0;
    let most = 0;
    await mapWithConcurrency([1, 2, 3], 0, async x => {
      most = Math.max(most, ++inFlight);
      await new Promise(setImmediate);
      inFlight--;
      return x;
    });
    expect(most).toBe(1);
  });

  it('rejects with the first failure', async () => {
    await expect(
      mapWithConcurrency([1, 2, 3], 3, async x => {
        if (x === 2) throw new Error('boom 2');
        return x;
      }),
    ).rejects.toThrow('boom 2');
  });
});
