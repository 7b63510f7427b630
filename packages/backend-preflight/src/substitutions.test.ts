import { findMissingSubstitutions } from './substitutions';

const text = `
backend:
  database:
    client: pg
    connection:
      host: \${POSTGRES_HOST}
      password: \${POSTGRES_PASSWORD}
auth:
  providers:
    github:
      production:
        clientSecret: \${AUTH_GITHUB_CLIENT_SECRET}
  keys:
    - secret: prefix-\${BACKEND_SECRET}
literal: $\${NOT_A_SUBSTITUTION}
`;

describe('findMissingSubstitutions', () => {
  it('names the config key and the variable of each unset substitution', () => {
    const missing = findMissingSubstitutions('prod.yaml', text, {
      POSTGRES_HOST: 'db',
      POSTGRES_PASSWORD: ' ',
    });
    expect(missing).toEqual([
      {
        key: 'backend.database.connection.password',
        variable: 'POSTGRES_PASSWORD',
        file: 'prod.yaml',
      },
      {
        key: 'auth.providers.github.production.clientSecret',
        variable: 'AUTH_GITHUB_CLIENT_SECRET',
        file: 'prod.yaml',
      },
      {
        key: 'auth.keys[0].secret',
        variable: 'BACKEND_SECRET',
        file: 'prod.yaml',
      },
    ]);
  });

  it('finds nothing when every variable is set', () => {
    expect(
      findMissingSubstitutions('prod.yaml', text, {
        POSTGRES_HOST: 'db',
        POSTGRES_PASSWORD: 'pw',
        AUTH_GITHUB_CLIENT_SECRET: 's',
        BACKEND_SECRET: 'k',
      }),
    ).toEqual([]);
  });
});
