import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { LambdafitConfig } from '../config/config-schema.js';
import { InputError } from '../errors.js';
import type { FitPlan } from '../plan/fit-plan.js';
import { validateFitPlan } from '../plan/fit-plan-schema.js';

/** Where an export's plan came from: `--plan`, lambdafit.json's `plan`, or nowhere. */
export type PlanSource = 'option' | 'config' | 'none';

/**
 * The plan an export applies: the one named by `--plan`, else by `plan` in lambdafit.json
 * (relative to its folder), read and validated; null when neither names one. Throws InputError
 * naming the file for an unreadable, non-JSON or invalid plan.
 */
export async function loadExportPlan(option: string | undefined, config: LambdafitConfig, configDir: string): Promise<{ plan: FitPlan | null; planPath: string | null; planSource: PlanSource }> {
  const path = option !== undefined ? resolve(option) : config.plan !== undefined ? resolve(configDir, config.plan) : undefined;
  if (path === undefined) return { plan: null, planPath: null, planSource: 'none' };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`Cannot read the plan ${path} (${code}); ${option !== undefined ? 'check --plan' : 'check "plan" in lambdafit.json'}, or create it with \`lambdafit fit --out ${basename(path)}\`.`, 'E_PLAN_UNREADABLE', { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path} is not valid JSON (${(err as Error).message}); re-run \`lambdafit fit --out ${basename(path)}\`.`, 'E_PLAN_INVALID', { cause: err });
  }
  return { plan: validateFitPlan(json, path), planPath: path, planSource: option !== undefined ? 'option' : 'config' };
}
