import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { LambdafitConfig } from '../config/config-schema.js';
import { InputError } from '../errors.js';
import type { FitPlan } from './fit-plan.js';
import { validateFitPlan } from './fit-plan-schema.js';

/** Where a plan came from: the `--plan` option or lambdafit.json's `plan`. */
export type PlanSource = 'option' | 'config';

/** A plan read from disk. */
export interface LoadedFitPlan {
  plan: FitPlan;
  /** Absolute path of the file. */
  path: string;
  /** The file's bytes (a cache key can hash them). */
  bytes: Buffer;
  source: PlanSource;
}

/**
 * The plan `check` and `export` apply: the file named by `option` (`--plan`), else by `plan` in
 * lambdafit.json (relative to its folder), read and validated; null when neither names one.
 * Throws InputError naming the file for an unreadable, non-JSON or invalid plan.
 */
export async function loadFitPlan(option: string | undefined, config: LambdafitConfig, configDir: string): Promise<LoadedFitPlan | null> {
  const path = option !== undefined ? resolve(option) : config.plan !== undefined ? resolve(configDir, config.plan) : undefined;
  if (path === undefined) return null;
  const source: PlanSource = option !== undefined ? 'option' : 'config';
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new InputError(`Cannot read the plan ${path} (${code}); ${source === 'option' ? 'check --plan' : 'check "plan" in lambdafit.json'}, or create it with \`lambdafit fit --out ${basename(path)}\`.`, 'E_PLAN_UNREADABLE', { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InputError(`${path} is not valid JSON (${(err as Error).message}); re-run \`lambdafit fit --out ${basename(path)}\`.`, 'E_PLAN_INVALID', { cause: err });
  }
  return { plan: validateFitPlan(json, path), path, bytes, source };
}
