import { z } from 'zod';

/** Runtimes lambdafit knows how to run and measure. */
export const RUNTIMES = [
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'nodejs24.x',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
  'provided.al2',
  'provided.al2023',
] as const;

/** Deploy targets (DESIGN §3). */
export const TARGETS = ['zip-direct', 'zip-s3', 'image'] as const;
/** Deploy target. */
export type Target = (typeof TARGETS)[number];
/** Lambda architectures. */
export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
/** Lambda architecture. */
export type Architecture = (typeof ARCHITECTURES)[number];

const modelSchema = z.strictObject({
  path: z.string().min(1).describe('Model file, relative to the bundle root.'),
  modes: z.array(z.enum(['int8', 'int4', 'fp16', 'auto'])).optional().describe('Quantization modes to try.'),
  minCosine: z.number().min(0).max(1).optional().describe('Accuracy gate: minimum cosine similarity.'),
  minTop1: z.number().min(0).max(1).optional().describe('Accuracy gate: minimum top-1 agreement.'),
});

/** Schema of `lambdafit.json`. Every field is optional; names follow SAM's, in camelCase. */
export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  runtime: z.enum(RUNTIMES).optional().describe('Lambda runtime identifier.'),
  handler: z.string().min(1).optional().describe('Handler, e.g. index.handler.'),
  architecture: z.enum(ARCHITECTURES).optional().describe('x86_64 (default) or arm64.'),
  memorySize: z.int().min(128).max(10240).optional().describe('Memory in MB, 128–10,240.'),
  ephemeralStorage: z.int().min(512).max(10240).optional().describe('/tmp size in MB, 512–10,240.'),
  timeout: z.int().min(1).max(900).optional().describe('Function timeout in seconds, 1–900.'),
  environment: z.record(z.string(), z.string()).optional().describe('Environment variables (4 KB as JSON).'),
  layers: z.array(z.string().min(1)).max(5).optional().describe('Layer folders or zips in the /opt layout.'),
  target: z.enum(TARGETS).optional().describe('Deploy target.'),
  events: z.array(z.string().min(1)).optional().describe('Sample event files (globs allowed).'),
  models: z.array(modelSchema).optional(),
  rules: z
    .strictObject({
      use: z.array(z.string().min(1)).optional().describe('Rule sets: built-in names or paths to JSON files.'),
      disable: z.array(z.string().min(1)).optional().describe('Rule ids to switch off.'),
      keep: z.array(z.string().min(1)).optional().describe('Globs that are never removed.'),
      drop: z.array(z.string().min(1)).optional().describe('Globs that are always removed.'),
    })
    .optional(),
  verify: z
    .strictObject({
      ignore: z.array(z.string().min(1)).optional().describe('Response fields that may differ between runs (dotted JSON paths, * for any key), skipped when lambdafit fit compares outputs with the baseline.'),
      numericTolerance: z.number().min(0).max(1).optional().describe('Relative tolerance for numbers in responses after pruning steps (default 0: identical).'),
      modelTolerance: z.number().min(0).max(1).optional().describe('Relative tolerance for numbers in responses after model quantization (default 0.05).'),
    })
    .optional()
    .describe('How lambdafit fit compares responses with the unmodified bundle.'),
  plan: z.string().min(1).optional().describe('Fit plan (from lambdafit fit --out) that check and export apply, relative to this file.'),
  budgets: z
    .strictObject({
      coldStartMs: z.number().positive().optional(),
      warmP50Ms: z.number().positive().optional(),
      maxMemoryMB: z.number().positive().optional(),
      zippedBytes: z.int().positive().optional(),
      unzippedBytes: z.int().positive().optional(),
    })
    .optional(),
});

/** A validated `lambdafit.json`. */
export type LambdafitConfig = z.infer<typeof configSchema>;
