/**
 * Indexes for the two lookups that run on every delivery: the claim (queued
 * deliveries, oldest first) and the push that made a commit the new head
 * (whose files list tells whether `.tekton/` changed since its parent).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('spotguides_deliveries', table => {
    table.index(['state', 'received_at'], 'spotguides_deliveries_claim_idx');
    table.index(['repository', 'sha'], 'spotguides_deliveries_commit_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('spotguides_deliveries', table => {
    table.dropIndex(
      ['state', 'received_at'],
      'spotguides_deliveries_claim_idx',
    );
    table.dropIndex(['repository', 'sha'], 'spotguides_deliveries_commit_idx');
  });
};
