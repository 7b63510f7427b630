import { documentedRoutes } from '@pipeline-portal/testing';
import path from 'node:path';
import { RouteTable } from './types';

/**
 * Every operation of a plugin's OpenAPI document as `METHOD /path/:param`,
 * read from the document the plugin serves, at test time.
 */
export function operationsOf(table: RouteTable): string[] {
  if (!table.document) return [];
  return documentedRoutes(
    path.join(
      path.dirname(
        require.resolve(`${table.document.packageName}/package.json`),
      ),
      table.document.path,
    ),
  );
}

/** What differs between a document and its table, one line each. */
export function coverageProblems(table: RouteTable): string[] {
  if (!table.document) return [];
  const documented = operationsOf(table);
  const rows = table.rows.map(r => r.route);
  const problems: string[] = [];
  for (const op of documented) {
    if (!rows.includes(op)) {
      problems.push(
        `${table.pluginId}: ${op} is in the OpenAPI document but has no row`,
      );
    }
  }
  for (const route of rows) {
    if (!documented.includes(route)) {
      problems.push(
        `${table.pluginId}: the row ${route} names no operation of the OpenAPI document`,
      );
    }
    if (rows.filter(r => r === route).length > 1) {
      problems.push(`${table.pluginId}: ${route} has more than one row`);
    }
  }
  return [...new Set(problems)];
}
