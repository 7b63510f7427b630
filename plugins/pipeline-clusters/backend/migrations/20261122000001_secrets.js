// @ts-check

/**
 * Encrypted secrets of the embedded SecretStore. Only ciphertext is stored:
 * AES-256-GCM under the key named by key_id, with (owner, name, kind) bound
 * as additional authenticated data.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('secrets', table => {
    table.comment('Cloud credentials and kubeconfigs, encrypted at rest');
    table
      .string('owner', 255)
      .notNullable()
      .comment('Owning group entity ref, e.g. group:default/payments');
    table.string('name', 63).notNullable().comment('Unique per owner');
    table.string('kind', 32).notNullable().comment('Secret kind, e.g. aws');
    table
      .string('key_id', 64)
      .notNullable()
      .comment('Id of the configured key that encrypted this row');
    table.string('iv', 32).notNullable().comment('Base64 96-bit GCM nonce');
    table.string('auth_tag', 32).notNullable().comment('Base64 GCM tag');
    table.text('ciphertext').notNullable().comment('Base64 ciphertext');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.unique(['owner', 'name'], { indexName: 'secrets_owner_name_uniq' });
    table.index(['key_id'], 'secrets_key_id_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('secrets');
};
