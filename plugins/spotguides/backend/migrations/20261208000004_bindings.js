/**
 * Which catalog component a repository's events run for, and the owner that
 * binding was made for: recorded by the portal when a member of that owner
 * scaffolds the repository or binds it on the component.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('spotguides_bindings', table => {
    table.comment('Repositories bound to the component whose pipelines run');
    table.string('repository', 255).primary().comment('owner/name, lower case');
    table.string('entity_ref', 255).notNullable().index();
    table
      .string('owner', 255)
      .notNullable()
      .comment('The owner group the binding was made for');
    table.string('bound_by', 255).notNullable().comment('The user who bound');
    table.string('bound_at', 32).notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('spotguides_bindings');
};
