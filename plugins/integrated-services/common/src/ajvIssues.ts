import type { ErrorObject } from 'ajv';
import { formatPointer, parsePointer } from './jsonPointer';
import { ValidationIssue } from './types';

/** The pointer an ajv error is about: the missing or extra property itself where there is one. */
function errorPointer(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  let child: unknown;
  if (error.keyword === 'required' || error.keyword === 'dependentRequired') {
    child = params.missingProperty;
  } else if (error.keyword === 'additionalProperties') {
    child = params.additionalProperty;
  }
  if (typeof child !== 'string') return error.instancePath;
  return formatPointer([...parsePointer(error.instancePath), child]);
}

function errorMessage(error: ErrorObject, branches: ErrorObject[]): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not allowed here';
  if (error.keyword === 'const')
    return `must be ${JSON.stringify(params.allowedValue)}`;
  if (error.keyword === 'enum') {
    return `must be one of ${(params.allowedValues as unknown[])
      .map(v => JSON.stringify(v))
      .join(', ')}`;
  }
  if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
    const missing = branches
      .filter(b => b.keyword === 'required')
      .map(b => (b.params as Record<string, unknown>).missingProperty);
    if (missing.length === branches.length && missing.length > 0) {
      return `must have one of: ${missing.join(', ')}`;
    }
    const messages = [...new Set(branches.map(b => b.message))];
    return `matches none of the allowed forms (${messages.join('; ')})`;
  }
  return error.message ?? 'is invalid';
}

/**
 * Turns ajv's errors into issues at JSON pointers: drops the bookkeeping errors of
 * `if`, folds the branch errors of `anyOf`/`oneOf` into one, and removes duplicates.
 */
export function toIssues(
  errors: ErrorObject[] | null | undefined,
  prefix = '',
): ValidationIssue[] {
  const all = errors ?? [];
  const folds = all.filter(e => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const branchesOf = (fold: ErrorObject) =>
    all.filter(
      e => e !== fold && e.schemaPath.startsWith(`${fold.schemaPath}/`),
    );
  const folded = new Set(folds.flatMap(branchesOf));
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const error of all) {
    if (error.keyword === 'if' || folded.has(error)) continue;
    const issue = {
      pointer: `${prefix}${errorPointer(error)}`,
      message: errorMessage(
        error,
        folds.includes(error) ? branchesOf(error) : [],
      ),
    };
    const key = `${issue.pointer}\u0000${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

/** One line per issue: `/spec/versions/0/chart/name: is required`. */
export function formatIssues(issues: ValidationIssue[]): string {
  return issues
    .map(issue => `${issue.pointer || '(document)'}: ${issue.message}`)
    .join('; ');
}
