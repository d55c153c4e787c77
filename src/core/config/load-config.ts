import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { configSchema, type LambdafitConfig } from './config-schema.js';
import { formatZodIssues } from './format-zod-issues.js';

/** Where a configuration came from. */
export interface LoadedConfig {
  config: LambdafitConfig;
  /** Path of the file read, or undefined when none exists. */
  path?: string;
}

/**
 * Reads and validates `lambdafit.json` (or `explicitPath`). A missing default file is not an
 * error; a missing explicit file, bad JSON or a schema violation is a ConfigError whose problems
 * name each dotted path.
 */
export async function loadConfig(bundleDir: string | undefined, explicitPath?: string): Promise<LoadedConfig> {
  const path = explicitPath ?? (bundleDir ? join(bundleDir, 'lambdafit.json') : undefined);
  if (!path) return { config: {} };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !explicitPath) return { config: {} };
    throw new ConfigError(`Cannot read ${path}: ${(err as Error).message}. Check the --config path.`);
  }
  return { config: parseConfig(text, path), path };
}

/** Validates configuration text; `path` is only used in messages. */
export function parseConfig(text: string, path: string): LambdafitConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path} is not valid JSON (${(err as Error).message}). Fix the syntax and run again.`);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const problems = formatZodIssues(parsed.error.issues);
    throw new ConfigError(`${path} is invalid: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}.`, problems);
  }
  return parsed.data;
}
