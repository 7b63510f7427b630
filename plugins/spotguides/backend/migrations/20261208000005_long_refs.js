/**
 * Refs as long as Git allows: a branch of more than 255 characters made the
 * delivery's insert fail after GitHub had been answered. SQLite does not
 * enforce a varchar's length; PostgreSQL does.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (knex.client.config.client !== 'pg') return;
  await knex.schema.alterTable('spotguides_deliveries', table => {
    table.text('ref').nullable().alter();
  });
  await knex.schema.alterTable('spotguides_runs', table => {
    table.text('ref').nullable().alter();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  if (knex.client.config.client !== 'pg') return;
  await knex.schema.alterTable('spotguides_deliveries', table => {
    table.string('ref', 255).nullable().alter();
  });
  await knex.schema.alterTable('spotguides_runs', table => {
    table.string('ref', 255).nullable().alter();
  });
};
