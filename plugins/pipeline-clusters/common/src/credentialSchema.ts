import { z } from 'zod';
import { CloudCredentialKind } from './distributions';
import { ownerSchema, rfc1123Label } from './schema';

const nonEmpty = z.string().trim().min(1);

/** The value of each kind of secret; every field required unless marked. */
export const secretValueSchemas = {
  aws: z.strictObject({
    accessKeyId: nonEmpty.regex(
      /^(AKIA|ASIA)[A-Z0-9]{12,}$/,
      'must be an AWS access key id',
    ),
    secretAccessKey: nonEmpty.min(20),
    sessionToken: nonEmpty.optional(),
  }),
  azure: z.strictObject({
    tenantId: z.guid(),
    subscriptionId: z.guid(),
    clientId: z.guid(),
    clientSecret: nonEmpty,
  }),
  google: z.strictObject({
    serviceAccountKey: nonEmpty.refine(value => {
      try {
        const key = JSON.parse(value);
        return (
          key.type === 'service_account' &&
          typeof key.project_id === 'string' &&
          typeof key.private_key === 'string' &&
          typeof key.client_email === 'string'
        );
      } catch {
        return false;
      }
    }, 'must be a service account key JSON with type, project_id, private_key and client_email'),
  }),
  alibaba: z.strictObject({
    accessKeyId: nonEmpty,
    accessKeySecret: nonEmpty,
  }),
  oracle: z.strictObject({
    tenancy: nonEmpty.regex(/^ocid1\.tenancy\./, 'must be a tenancy OCID'),
    user: nonEmpty.regex(/^ocid1\.user\./, 'must be a user OCID'),
    fingerprint: nonEmpty.regex(
      /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/,
      'must be a key fingerprint',
    ),
    privateKey: nonEmpty.regex(
      /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
      'must be a PEM private key',
    ),
    passphrase: z.string().optional(),
    region: nonEmpty,
  }),
  digitalocean: z.strictObject({
    token: nonEmpty.min(16),
  }),
  kubeconfig: z.strictObject({
    kubeconfig: nonEmpty.max(256 * 1024),
  }),
} as const;

/** A create request for one kind of cloud credential. */
const credentialOf = <K extends CloudCredentialKind>(kind: K) =>
  z.strictObject({
    name: rfc1123Label(63),
    owner: ownerSchema,
    kind: z.literal(kind),
    value: secretValueSchemas[kind],
  });

export const createCredentialSchema = z.discriminatedUnion('kind', [
  credentialOf('aws'),
  credentialOf('azure'),
  credentialOf('google'),
  credentialOf('alibaba'),
  credentialOf('oracle'),
  credentialOf('digitalocean'),
]);

export type CreateCredentialRequest = z.infer<typeof createCredentialSchema>;
