import { z } from 'zod';
import { configSchema } from '../config/config-schema.js';
import { ruleSetSchema } from './schema.js';

/** A generated file: where it goes (relative to the package root) and its exact text. */
export interface GeneratedFile {
  path: string;
  text: string;
}

/**
 * The JSON Schema files generated from the zod schemas: `rules/schema.json` for rule sets and
 * `lambdafit.schema.json` for the configuration. Pure, so a test can regenerate them in memory
 * and compare with the committed files.
 */
export function schemaFiles(): GeneratedFile[] {
  return [
    { path: 'rules/schema.json', text: render(ruleSetSchema, 'lambdafit rule set', 'A set of pruning rules for lambdafit (rules/*.json).') },
    { path: 'lambdafit.schema.json', text: render(configSchema, 'lambdafit configuration', 'lambdafit.json: how lambdafit fits and runs this bundle.') },
  ];
}

function render(schema: z.ZodType, title: string, description: string): string {
  // `io: 'input'` describes what a person writes in the file, before defaults are applied.
  const json = z.toJSONSchema(schema, { io: 'input' });
  return `${JSON.stringify({ ...json, title, description }, null, 2)}\n`;
}
