import Ajv2019 from 'ajv/dist/2019';
import { compare } from 'semver';
import { toIssues } from './ajvIssues';
import { integratedServiceEntitySchema } from './entitySchema';
import { specSchemaProblem } from './specValidation';
import {
  INTEGRATED_SERVICE_API_VERSION,
  INTEGRATED_SERVICE_KIND,
  IntegratedServiceEntity,
  ValidationIssue,
  ValidationResult,
  VersionEdge,
} from './types';

const ajv = new Ajv2019({ allErrors: true, strict: false });
const checkShape = ajv.compile(integratedServiceEntitySchema);

/** Whether an entity claims to be an IntegratedService (whatever its shape). */
export function isIntegratedServiceEntity(entity: {
  apiVersion?: unknown;
  kind?: unknown;
}): boolean {
  return (
    entity.apiVersion === INTEGRATED_SERVICE_API_VERSION &&
    entity.kind === INTEGRATED_SERVICE_KIND
  );
}

function checkEdges(
  edges: VersionEdge[],
  list: 'upgraders' | 'downgraders',
  known: Set<string>,
  issues: ValidationIssue[],
) {
  const seen = new Map<string, number>();
  edges.forEach((edge, i) => {
    const at = `/spec/${list}/${i}`;
    for (const end of ['from', 'to'] as const) {
      if (!known.has(edge[end])) {
        issues.push({
          pointer: `${at}/${end}`,
          message: `names version ${edge[end]}, which is not among spec.versions`,
        });
      }
    }
    const order = compare(edge.from, edge.to);
    if (list === 'upgraders' && order >= 0) {
      issues.push({
        pointer: `${at}/to`,
        message: `an upgrader must go to a newer version than ${edge.from}`,
      });
    }
    if (list === 'downgraders' && order <= 0) {
      issues.push({
        pointer: `${at}/to`,
        message: `a downgrader must go to an older version than ${edge.from}`,
      });
    }
    const key = `${edge.from}->${edge.to}`;
    if (seen.has(key)) {
      issues.push({
        pointer: at,
        message: `repeats ${key}, already at /spec/${list}/${seen.get(key)}`,
      });
    } else {
      seen.set(key, i);
    }
    const upgrades = edge.steps.filter(
      step => step.type === 'chartUpgrade',
    ).length;
    if (upgrades !== 1) {
      issues.push({
        pointer: `${at}/steps`,
        message: `must have exactly one chartUpgrade step (has ${upgrades})`,
      });
    }
  });
}

/** What the schema cannot say: unique versions, edges between known versions going the right way. */
function checkSemantics(entity: IntegratedServiceEntity): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const known = new Map<string, number>();
  entity.spec.versions.forEach((version, i) => {
    const at = `/spec/versions/${i}`;
    if (known.has(version.version)) {
      issues.push({
        pointer: `${at}/version`,
        message: `repeats ${
          version.version
        }, already at /spec/versions/${known.get(version.version)}`,
      });
    } else {
      known.set(version.version, i);
    }
    const problem = specSchemaProblem(version.specSchema);
    if (problem) {
      issues.push({
        pointer: `${at}/specSchema`,
        message: `is not a usable JSON Schema: ${problem}`,
      });
    }
    version.secrets?.forEach((secret, j) => {
      const duplicate = version.secrets!.findIndex(
        s => s.secretName === secret.secretName,
      );
      if (duplicate !== j) {
        issues.push({
          pointer: `${at}/secrets/${j}/secretName`,
          message: `repeats ${secret.secretName}, already at ${at}/secrets/${duplicate}`,
        });
      }
    });
  });
  const names = new Set(known.keys());
  checkEdges(entity.spec.upgraders, 'upgraders', names, issues);
  checkEdges(entity.spec.downgraders, 'downgraders', names, issues);
  return issues;
}

/**
 * Validates an IntegratedService definition against its JSON Schema, then its
 * graph; every issue names the JSON pointer of the bad field.
 */
export function validateIntegratedService(entity: unknown): ValidationResult {
  if (!checkShape(entity)) {
    return { valid: false, issues: toIssues(checkShape.errors) };
  }
  const issues = checkSemantics(entity as unknown as IntegratedServiceEntity);
  return issues.length === 0
    ? { valid: true, issues: [] }
    : { valid: false, issues };
}
