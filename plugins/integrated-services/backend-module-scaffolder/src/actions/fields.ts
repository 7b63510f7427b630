import { InputError } from '@backstage/errors';
import type { z as zod } from 'zod/v3';

type Z = typeof zod;

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const clusterInput = (z: Z) =>
  z
    .string()
    .describe(
      'The cluster: its name, or its catalog entity ref (resource:default/payments-prod)',
    );
export const serviceInput = (z: Z) =>
  z.string().describe('The integrated service, e.g. monitoring');
export const versionInput = (z: Z) =>
  z
    .string()
    .optional()
    .describe('The version to run; empty or absent: the newest offered');
export const specInput = (z: Z) =>
  z
    .record(z.string(), z.unknown())
    .optional()
    .describe("The service's settings, as its version's JSON Schema describes");
export const overridesInput = (z: Z) =>
  z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Chart values laid over the rendered ones');

/** A cluster name from a name or a Resource entity ref. */
export function parseCluster(input: string): string {
  const name = input.includes(':') ? input.split('/').pop()! : input;
  if (!LABEL.test(name) || name.length > 63) {
    throw new InputError(`cluster: "${input}" is not a cluster name or ref`);
  }
  return name;
}

export function parseService(input: string): string {
  if (!LABEL.test(input) || input.length > 63) {
    throw new InputError(`service: "${input}" is not a service name`);
  }
  return input;
}

/** Outputs every action gives. */
export const instanceOutput = {
  cluster: (z: Z) => z.string().describe('Cluster name'),
  service: (z: Z) => z.string().describe('Service name'),
  version: (z: Z) => z.string().describe('The version asked for'),
  path: (z: Z) =>
    z
      .array(z.string())
      .describe('Versions the reconciler walks through, first to last'),
};
