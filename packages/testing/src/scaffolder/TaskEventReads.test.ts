import knexFactory, { Knex } from 'knex';
import { TaskEventReads } from './TaskEventReads';

describe('TaskEventReads', () => {
  let knex: Knex;
  beforeAll(async () => {
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    await knex.schema.createTable('task_events', t => {
      t.increments('id');
      t.string('task_id');
    });
    await knex.schema.createTable('other', t => t.increments('id'));
  });
  afterAll(() => knex.destroy());

  it('settles at once when no task events were read, whatever else was', async () => {
    const reads = new TaskEventReads();
    reads.watch(knex);
    await knex('other').select();
    // Waiting for a minute of quiet would outlast the test's timeout.
    await expect(reads.settled(60_000)).resolves.toBeUndefined();
  });

  it('waits until task events were not read for the quiet time, and no longer than the bound', async () => {
    const reads = new TaskEventReads();
    reads.watch(reads.watch(knex));
    // Taken before the read: the read is noted when it is sent, and the
    // quiet time counts from then.
    const read = Date.now();
    await knex('task_events').where({ task_id: 't' }).select();
    await reads.settled(300);
    expect(Date.now() - read).toBeGreaterThanOrEqual(300);

    // Reads keep coming: settled gives up at its bound.
    const timer = setInterval(() => {
      knex('task_events')
        .select()
        .then(
          () => {},
          () => {},
        );
    }, 50);
    try {
      await knex('task_events').select();
      const start = Date.now();
      await reads.settled(300, 600);
      expect(Date.now() - start).toBeGreaterThanOrEqual(600);
    } finally {
      clearInterval(timer);
    }
  });
});
