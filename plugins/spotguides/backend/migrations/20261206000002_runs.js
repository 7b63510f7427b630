/**
 * PipelineRuns the trigger engine created, with the commit status they owe.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('spotguides_runs', table => {
    table.comment('PipelineRuns created by the trigger engine');
    table.string('cluster', 63).notNullable();
    table.string('namespace', 63).notNullable();
    table.string('name', 63).notNullable();
    table.primary(['cluster', 'namespace', 'name']);
    table.string('pipeline', 63).notNullable();
    table.string('entity_ref', 255).notNullable().index();
    table.string('repository', 255).notNullable();
    table.string('sha', 64).notNullable();
    table.string('ref', 255).nullable();
    table.string('event', 64).notNullable();
    table.string('delivery_id', 100).notNullable();
    table.string('status_context', 100).notNullable();
    table.string('status', 16).notNullable().comment('RunStatus');
    table
      .string('reported_status', 16)
      .nullable()
      .comment('The status last written to the commit');
    table.string('created_at', 32).notNullable();
    table.string('started_at', 32).nullable();
    table.string('completed_at', 32).nullable();
    table.index(['status', 'reported_status']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('spotguides_runs');
};
