/**
 * The delivery queue: every accepted GitHub delivery, kept before the events
 * endpoint answers, claimed by one replica at a time with a lease.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('spotguides_deliveries', table => {
    table.comment('GitHub deliveries the trigger engine accepted');
    table.string('id', 100).primary().comment('X-GitHub-Delivery');
    table.string('event', 64).notNullable();
    table.string('action', 64).nullable();
    table.string('repository', 255).notNullable().index();
    table.string('ref', 255).nullable();
    table.string('sha', 64).nullable();
    table
      .string('dedup_key', 64)
      .nullable()
      .unique()
      .comment('sha256 of (repository, event, ref, sha); null for duplicates');
    table.text('payload').notNullable().comment('The event body, JSON');
    table.string('state', 16).notNullable().comment('queued or done');
    table.string('lease_owner', 64).nullable();
    table.bigInteger('lease_until').notNullable().defaultTo(0);
    table.integer('attempts').notNullable().defaultTo(0);
    table.bigInteger('next_attempt_at').notNullable().defaultTo(0);
    table.string('decision', 16).notNullable();
    table.text('reason').notNullable();
    table.text('runs').nullable().comment('RunRef[] JSON');
    table.text('pipelines').nullable().comment('PipelineExplanation[] JSON');
    table.string('received_at', 32).notNullable().index();
    table.string('updated_at', 32).notNullable();
    table.index(['state', 'next_attempt_at']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('spotguides_deliveries');
};
