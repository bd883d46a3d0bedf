import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FeatureDefinition } from '@growthbook/growthbook';
import { DefinitionError, type DefinitionIssue } from './issues.js';
import {
  checkPayload,
  duplicateExperimentKeys,
  type Definitions,
  type ExperimentSummary,
} from './validate.js';

/** Where product managers keep definitions, relative to the working directory. */
export const DEFAULT_DEFINITIONS_DIR = 'experiments';

/**
 * Reads every `*.json` file of `dir` (one GrowthBook feature per file, named like the feature) and
 * merges them into one payload. Throws a `DefinitionError` carrying every issue of every file.
 */
export async function loadDefinitions(dir: string = DEFAULT_DEFINITIONS_DIR): Promise<Definitions> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  const issues: DefinitionIssue[] = [];
  const features: Record<string, FeatureDefinition> = {};
  const definedIn = new Map<string, string>();
  const experiments: ExperimentSummary[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const json = parseJson(await readFile(file, 'utf8'));
    if ('error' in json) {
      issues.push({ source: file, message: `not valid JSON: ${json.error}` });
      continue;
    }
    const checked = checkPayload(json.value, file);
    issues.push(...checked.issues, ...fileNameIssues(file, json.value));
    for (const [feature, definition] of Object.entries(checked.payload.features)) {
      const earlier = definedIn.get(feature);
      if (earlier) issues.push({ source: file, feature, message: `is also defined in ${earlier}` });
      definedIn.set(feature, file);
      features[feature] = definition;
    }
    experiments.push(...checked.experiments);
  }
  issues.push(...duplicateExperimentKeys(experiments));
  if (issues.length) throw new DefinitionError(issues);
  return { payload: { features }, experiments };
}

function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** One feature per file, named like it, so editors find a feature by its file name. */
function fileNameIssues(file: string, json: unknown): DefinitionIssue[] {
  const expected = basename(file, '.json');
  if (typeof json !== 'object' || json === null) return [];
  const { features } = json as { features?: unknown };
  if (typeof features !== 'object' || features === null) return [];
  const keys = Object.keys(features);
  if (keys.length === 1 && keys[0] === expected) return [];
  const found = keys.length ? `features ${keys.map((k) => `"${k}"`).join(', ')}` : 'no feature';
  return [
    {
      source: file,
      message: `holds ${found}; a file holds one feature, named like the file ("${expected}")`,
    },
  ];
}
