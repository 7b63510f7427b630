import {
  INTEGRATED_SERVICE_KIND,
  IntegratedServiceEntity,
  validateIntegratedService,
} from '@pipeline-portal/plugin-integrated-services-common';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface LoadedDefinitions {
  definitions: Map<string, IntegratedServiceEntity>;
  /** Files or documents left out, and why. */
  problems: string[];
}

/**
 * The IntegratedService definitions in a directory's YAML files (as the
 * catalog holds them, e.g. a ConfigMap mounted from catalog/integrated-services);
 * other kinds are skipped, invalid definitions reported and left out.
 */
export function loadDefinitionFiles(dir: string): LoadedDefinitions {
  const definitions = new Map<string, IntegratedServiceEntity>();
  const problems: string[] = [];
  const files = readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .sort();
  for (const file of files) {
    const docs = parseAllDocuments(readFileSync(join(dir, file), 'utf8'));
    docs.forEach((doc, index) => {
      if (doc.errors.length) {
        problems.push(`${file}#${index}: ${doc.errors[0].message}`);
        return;
      }
      const entity = doc.toJS() as {
        kind?: string;
        metadata?: { name?: string };
      };
      if (entity?.kind !== INTEGRATED_SERVICE_KIND) return;
      const result = validateIntegratedService(entity);
      if (!result.valid) {
        problems.push(
          `${file}#${index} (${entity.metadata?.name}): ${result.issues
            .map(i => `${i.pointer || '/'} ${i.message}`)
            .join('; ')}`,
        );
        return;
      }
      const definition = entity as unknown as IntegratedServiceEntity;
      definitions.set(definition.metadata.name, definition);
    });
  }
  return { definitions, problems };
}
