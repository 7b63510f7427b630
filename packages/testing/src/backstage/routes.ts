import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/**
 * Every operation of an OpenAPI document as `METHOD /path/:param`, the form
 * Express routes are written in, sorted.
 */
export function documentedRoutes(specFile: string): string[] {
  const spec = parse(readFileSync(specFile, 'utf8')) as {
    paths?: Record<string, Record<string, unknown>>;
  };
  return Object.entries(spec.paths ?? {})
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter(m => METHODS.includes(m))
        .map(m => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    )
    .sort();
}

/** Every route an Express router serves directly, as `METHOD /path`, sorted. */
export function servedRoutes(router: unknown): string[] {
  const stack = (router as { stack: Array<{ route?: any }> }).stack;
  return stack
    .filter(layer => layer.route)
    .flatMap(layer =>
      Object.keys(layer.route.methods).map(
        m => `${m.toUpperCase()} ${layer.route.path}`,
      ),
    )
    .sort();
}
