/**
 * Clusters and the history of their status changes.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('clusters', table => {
    table.comment('Clusters the portal provisions or imported; no secret here');
    table.string('name', 63).primary();
    table.string('owner', 255).notNullable().index();
    table.string('distribution', 16).notNullable().index();
    table.text('spec').nullable().comment('ClusterSpec JSON; null for imports');
    table.string('phase', 16).notNullable().index();
    table.text('message').nullable();
    table.text('observed').nullable().comment('ClusterStatus extras JSON');
    table
      .integer('revision')
      .notNullable()
      .comment('Bumped on every change; optimistic concurrency');
    table
      .integer('applied_revision')
      .notNullable()
      .defaultTo(0)
      .comment('Last revision written to the management cluster');
    table.integer('failures').notNullable().defaultTo(0);
    table
      .bigInteger('reconcile_after')
      .notNullable()
      .defaultTo(0)
      .comment('Epoch ms before which the reconciler leaves it alone');
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
  });
  await knex.schema.createTable('cluster_history', table => {
    table.increments('id');
    table
      .string('cluster_name', 63)
      .notNullable()
      .references('name')
      .inTable('clusters')
      .onDelete('CASCADE');
    table.string('phase', 16).notNullable();
    table.text('message').nullable();
    table.string('at', 32).notNullable();
    table.index(['cluster_name', 'id']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cluster_history');
  await knex.schema.dropTable('clusters');
};
