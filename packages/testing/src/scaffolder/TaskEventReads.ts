import type { Knex } from 'knex';

/**
 * The scaffolder reads each task's events once a second until it reads the
 * task's completion (to honour a cancellation), and stopping the backend
 * does not end that loop. A read after TestDatabases destroyed the pool
 * rejects unhandled, failing whichever test file the worker runs next. So a
 * test backend with the scaffolder, once stopped, waits until no plugin has
 * read task events for longer than that poll: every such loop has then seen
 * its task's end, and the databases may go.
 */
export class TaskEventReads {
  private readonly watched = new WeakSet<Knex>();
  private last = 0;

  /** Notes every task-event read of this plugin database client. */
  watch(knex: Knex): Knex {
    if (this.watched.has(knex)) return knex;
    this.watched.add(knex);
    knex.on('query', (q: { sql?: string }) => {
      if (q.sql?.includes('task_events')) this.last = Date.now();
    });
    return knex;
  }

  /**
   * Resolves once no task events were read for `quietMs` (three of the
   * scaffolder's one-second polls), or after `maxMs` at most.
   */
  async settled(quietMs = 3000, maxMs = 30_000): Promise<void> {
    for (const end = Date.now() + maxMs; Date.now() < end; ) {
      const quietFor = Date.now() - this.last;
      if (quietFor >= quietMs) return;
      await new Promise(r => setTimeout(r, quietMs - quietFor));
    }
  }
}
