import { z } from 'zod';
import { ARCHITECTURES, TARGETS } from '../config/config-schema.js';
import { InputError } from '../errors.js';
import { formatZodIssues } from '../config/format-zod-issues.js';
import { RISKS } from '../rules/schema.js';
import { FIT_PLAN_VERSION, PLACEMENT_STRATEGIES, type FitPlan } from './fit-plan.js';

const mismatch = z.strictObject({ event: z.string(), path: z.string(), expected: z.string(), got: z.string() });
const measurement = z.strictObject({
  passed: z.boolean(),
  initDurationMs: z.number().nullable(),
  coldDurationMs: z.number(),
  warmDurationMs: z.number().nullable(),
  maxMemoryUsedMB: z.number(),
  invocations: z.int().nonnegative(),
  mismatches: z.array(mismatch),
  error: z.string().optional(),
  tmpPeakBytes: z.int().nonnegative().optional(),
  fetchedBytes: z.int().nonnegative().optional(),
});
const sizes = z.strictObject({ files: z.int().nonnegative(), unzippedBytes: z.int().nonnegative(), zippedBytes: z.int().nonnegative(), fits: z.boolean() });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const planFile = z.strictObject({ path: z.string().min(1), bytes: z.int().nonnegative() });
const step = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('prune'),
    ruleId: z.string(),
    ruleSet: z.string(),
    risk: z.enum(RISKS),
    description: z.string(),
    files: z.array(planFile),
    bytes: z.int().nonnegative(),
  }),
  z.strictObject({
    kind: z.literal('keep'),
    ruleId: z.string(),
    ruleSet: z.string(),
    files: z.array(z.string().min(1)),
    evidence: z.strictObject({ tests: z.int().nonnegative(), failure: z.string(), mismatches: z.array(mismatch) }),
  }),
  z.strictObject({
    kind: z.literal('quantize'),
    modelPath: z.string().min(1),
    mode: z.string(),
    variant: z.string(),
    inputBytes: z.int().nonnegative(),
    outputBytes: z.int().nonnegative(),
    outputCompressedBytes: z.int().nonnegative(),
    outputHash: z.string().regex(/^[0-9a-f]{64}$/),
    accuracy: z.strictObject({ cosine: z.number().nullable(), top1Agreement: z.number().nullable(), minCosine: z.number(), passed: z.boolean() }),
  }),
  z.strictObject({
    kind: z.literal('placement'),
    strategy: z.enum(PLACEMENT_STRATEGIES),
    description: z.string(),
    moved: z.array(planFile),
    added: z.array(z.strictObject({ path: z.string().min(1), content: z.string(), hash: sha256 })),
    objects: z.array(
      z.strictObject({ key: z.string().min(1), from: z.array(z.string().min(1)), format: z.enum(['file', 'zip']), bytes: z.int().nonnegative(), hash: sha256 }),
    ),
    layers: z.array(
      z.strictObject({
        name: z.string().min(1),
        files: z.array(z.strictObject({ from: z.string().min(1), to: z.string().min(1) })),
        unzippedBytes: z.int().nonnegative(),
        zippedBytes: z.int().nonnegative(),
      }),
    ),
    environment: z.record(z.string(), z.string()),
  }),
]);

/** zod schema of a {@link FitPlan}; `validateFitPlan` uses it. */
export const fitPlanSchema = z.strictObject({
  format: z.literal('lambdafit-fit-plan'),
  version: z.literal(FIT_PLAN_VERSION),
  createdAt: z.string(),
  input: z.strictObject({ path: z.string(), treeHash: z.string().regex(/^[0-9a-f]{64}$/), excluded: z.array(z.string()).optional(), sizes }),
  target: z.enum(TARGETS),
  arch: z.enum(ARCHITECTURES),
  memorySize: z.int().min(128).max(10240),
  function: z.strictObject({ runtime: z.string(), handler: z.string() }),
  events: z.array(z.string()),
  steps: z.array(step),
  predicted: sizes,
  verification: z.strictObject({ baseline: measurement, final: measurement, golden: z.array(z.unknown()).optional() }),
  alternatives: z.array(
    z.strictObject({
      id: z.string(),
      label: z.string(),
      includes: z.array(z.string()),
      sizes,
      measured: measurement,
      accuracyCosine: z.number().nullable(),
      rejected: z.array(z.string()),
    }),
  ),
  chosen: z.string().nullable(),
  explanation: z.array(z.string()),
}) satisfies z.ZodType<FitPlan>;

/**
 * Checks that parsed JSON is a plan this version of lambdafit understands and returns it typed.
 * `source` names the file in the error. Throws InputError listing each problem.
 */
export function validateFitPlan(json: unknown, source: string): FitPlan {
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version !== FIT_PLAN_VERSION) {
    throw new InputError(`${source} is a version ${version} plan; this lambdafit reads version ${FIT_PLAN_VERSION}, so re-run \`lambdafit fit\` to regenerate it.`, 'E_PLAN_VERSION');
  }
  const parsed = fitPlanSchema.safeParse(json);
  if (!parsed.success) {
    const problems = formatZodIssues(parsed.error.issues);
    throw new InputError(`${source} is not a valid lambdafit plan (${problems[0]}); re-run \`lambdafit fit --out ${source}\`.`, 'E_PLAN_INVALID');
  }
  return parsed.data as FitPlan;
}
