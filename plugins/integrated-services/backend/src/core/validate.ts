import {
  findVersion,
  IntegratedServiceEntity,
  ServiceVersion,
  ValidationIssue,
  validateOverrides,
  validateSpec,
} from '@pipeline-portal/plugin-integrated-services-common';

type Definition = Pick<IntegratedServiceEntity, 'metadata' | 'spec'>;

/** The version an instance asks for (empty: the newest offered), or why there is none. */
export function wantedVersion(
  definition: Definition,
  version: string | undefined,
): { version: ServiceVersion } | { problem: string } {
  const found = findVersion(definition, version);
  if (found) return { version: found };
  return {
    problem: `version "${version}" of ${
      definition.metadata.name
    } is not offered (offered: ${definition.spec.versions
      .map(v => v.version)
      .join(', ')})`,
  };
}

/**
 * Problems of a spec and overrides against a version, at JSON pointers under
 * the given prefixes (the ServiceInstance's by default).
 */
export function specIssues(
  version: ServiceVersion,
  spec: unknown,
  overrides: unknown,
  prefixes = { spec: '/spec/spec', overrides: '/spec/overrides' },
): ValidationIssue[] {
  return [
    ...validateSpec(version, spec ?? {}, { pointerPrefix: prefixes.spec })
      .issues,
    ...validateOverrides(overrides ?? {}, {
      pointerPrefix: prefixes.overrides,
    }).issues,
  ];
}

export function describeIssues(issues: ValidationIssue[]): string {
  return issues.map(i => `${i.pointer || '/'} ${i.message}`).join('; ');
}
