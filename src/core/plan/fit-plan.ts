import type { Architecture, Target } from '../config/config-schema.js';
import type { Risk } from '../rules/schema.js';

/** Version of the plan format; bumped on any incompatible change. */
export const FIT_PLAN_VERSION = 1;

/** One output difference between a verified state and the baseline (golden) output. */
export interface OutputMismatch {
  /** Which sample event (its file, or `(empty event)`). */
  event: string;
  /** Dotted JSON path inside the response (`$` is the whole response). */
  path: string;
  /** Golden value, as JSON text (truncated). */
  expected: string;
  /** Value the state produced, as JSON text (truncated). */
  got: string;
}

/** What one verification of a bundle state measured in the sandbox. */
export interface StateMeasurement {
  /** Cold start and every event succeeded, and outputs matched the golden ones. */
  passed: boolean;
  /** Init Duration of the cold start (ms), null when init failed. */
  initDurationMs: number | null;
  /** Duration of the cold invocation (the first one after init), ms. */
  coldDurationMs: number;
  /** Median duration of the warm invocations, ms (null when none ran). */
  warmDurationMs: number | null;
  /** Largest Max Memory Used of all invocations, MB. */
  maxMemoryUsedMB: number;
  /** Invocations run (the cold one included). */
  invocations: number;
  /** Output differences from the golden outputs (empty for the baseline). */
  mismatches: OutputMismatch[];
  /** Why it failed: the error type and message of the first failing invocation. */
  error?: string;
  /** Largest /tmp use of any invocation, bytes (placements that unpack into /tmp). */
  tmpPeakBytes?: number;
  /** Bytes the function fetched from the object store (placements that fetch at init). */
  fetchedBytes?: number;
}

/** Predicted deploy sizes of a file list. */
export interface PredictedSizes {
  files: number;
  /** Sum of regular file sizes. */
  unzippedBytes: number;
  /** Exact size of the zip lambdafit writes (`predictZipBytes`). */
  zippedBytes: number;
  /** Whether every limit of the plan's target is met. */
  fits: boolean;
}

/** A file a step removes. */
export interface PlanFile {
  /** Bundle path. */
  path: string;
  /** Size in bytes. */
  bytes: number;
}

/** A verified removal: files of one rule that the function runs without. */
export interface PruneStep {
  kind: 'prune';
  /** Rule that proposed the files (`trace-unused` for trace-based pruning). */
  ruleId: string;
  /** The rule's set. */
  ruleSet: string;
  /** The rule's risk. */
  risk: Risk;
  /** Why the rule removes them. */
  description: string;
  /** Files removed, in path order (learned keep-rules already taken out). */
  files: PlanFile[];
  /** Sum of `files` bytes. */
  bytes: number;
}

/** Files a rule wanted to remove but the function needs: found by bisection, kept from then on. */
export interface KeepStep {
  kind: 'keep';
  /** Rule whose removal broke the function. */
  ruleId: string;
  /** The rule's set. */
  ruleSet: string;
  /** Files that must stay, in path order. */
  files: string[];
  /** The bisection evidence. */
  evidence: {
    /** Verifications the bisection ran. */
    tests: number;
    /** What failed when the whole step was applied. */
    failure: string;
    /** Output differences of that failure, if it got as far as answering. */
    mismatches: OutputMismatch[];
  };
}

/** A model file replaced by a quantized version. */
export interface QuantizeStep {
  kind: 'quantize';
  /** Bundle path of the model (the quantized file takes its place, same name). */
  modelPath: string;
  /** Technique: int8, int4, fp16. */
  mode: string;
  /** Variant written (`int8`, `int8-mixed`, `int4`…). */
  variant: string;
  /** Bytes before. */
  inputBytes: number;
  /** Bytes of the quantized file. */
  outputBytes: number;
  /** Deflated size of the quantized file (for the zip prediction). */
  outputCompressedBytes: number;
  /** sha256 of the quantized file, hex: `export` checks it rebuilt the same bytes. */
  outputHash: string;
  /** Direct accuracy gate on the model. */
  accuracy: { cosine: number | null; top1Agreement: number | null; minCosine: number; passed: boolean };
}

/** Placement strategies, tried when pruning and quantization are not enough (issue: fit). */
export const PLACEMENT_STRATEGIES = ['model-from-s3', 'deps-to-tmp', 'layers', 'image'] as const;
/** A placement strategy. */
export type PlacementStrategy = (typeof PLACEMENT_STRATEGIES)[number];

/** A file a placement adds to the function package: its generated loader. */
export interface AddedFile {
  /** Bundle path (e.g. `lambdafit/model-fetch.cjs`). */
  path: string;
  /** Full UTF-8 text of the file; export writes exactly this. */
  content: string;
  /** sha256 of `content` (UTF-8), hex. */
  hash: string;
}

/** An object the function fetches from object storage at init; export writes it for upload. */
export interface ExternalObject {
  /** Object key (the bucket comes from the environment variable named in the step). */
  key: string;
  /** Bundle paths whose content the object carries, in path order. */
  from: string[];
  /** `file`: the one file's bytes as they ship (a quantized model after quantize steps); `zip`: a deterministic zip of `from`, paths relative to the bundle root. */
  format: 'file' | 'zip';
  /** Size of the object, bytes. */
  bytes: number;
  /** sha256 of the object, hex. */
  hash: string;
}

/** A layer a placement creates, in the `/opt` layout. */
export interface PlannedLayer {
  /** Layer name (used for the zip file and the SAM resource). */
  name: string;
  /** Bundle files and where they go inside the layer (`nodejs/node_modules/…`, `python/…`). */
  files: { from: string; to: string }[];
  /** Sum of the files' sizes. */
  unzippedBytes: number;
  /** Exact size of the layer zip lambdafit writes. */
  zippedBytes: number;
}

/**
 * A verified placement: files leave the function package (to object storage or layers), loader
 * files and environment variables are added, or the function ships as a container image.
 */
export interface PlacementStep {
  kind: 'placement';
  strategy: PlacementStrategy;
  /** What the placement does, one sentence. */
  description: string;
  /** Bundle files that leave the function package (moved into objects or layers). */
  moved: PlanFile[];
  /** Files added to the function package (generated loaders). */
  added: AddedFile[];
  /** Objects to upload, fetched at init. */
  objects: ExternalObject[];
  /** Layers to publish (at most 5 with the configured ones). */
  layers: PlannedLayer[];
  /** Environment variables the function needs, merged over the configured ones (`NODE_OPTIONS`, bucket name…). */
  environment: Record<string, string>;
}

/** One step of the plan, in the order it was verified. */
export type PlanStep = PruneStep | KeepStep | QuantizeStep | PlacementStep;

/** One measured bundle state the planner chose among. */
export interface PlanAlternative {
  /** Short id (`baseline`, `pruned`, `int8`…). */
  id: string;
  /** What the state is, in a few words. */
  label: string;
  /** What the state applies, one line per kind of step (e.g. `prune: 14 rules, 1,203 files`). */
  includes: string[];
  /** Predicted deploy sizes for the plan's target. */
  sizes: PredictedSizes;
  /** What the sandbox measured. */
  measured: StateMeasurement;
  /** Lowest cosine of any model step it includes (null without model steps). */
  accuracyCosine: number | null;
  /** Why the planner cannot pick it (does not fit, failed verification, over a budget); empty when eligible. */
  rejected: string[];
}

/** The plan `lambdafit fit` writes and `export`/`check` consume. Plain JSON. */
export interface FitPlan {
  format: 'lambdafit-fit-plan';
  version: typeof FIT_PLAN_VERSION;
  /** ISO timestamp. */
  createdAt: string;
  /** The unmodified input. */
  input: {
    /** Path as given (absolute). */
    path: string;
    /** `hashFileTree` of the input's files: export refuses a plan for another tree. */
    treeHash: string;
    /**
     * Bundle paths left out of `treeHash`: lambdafit's own files inside the bundle (its
     * configuration, the plan itself), which change without the function changing.
     */
    excluded?: string[];
    /** The input's sizes. */
    sizes: PredictedSizes;
  };
  target: Target;
  arch: Architecture;
  /** Memory the function was verified at, MB. */
  memorySize: number;
  /** Runtime and handler the verification ran. */
  function: { runtime: string; handler: string };
  /** Events the verification used. */
  events: string[];
  /** Verified steps up to the chosen alternative, in order. */
  steps: PlanStep[];
  /** Sizes after `steps`. */
  predicted: PredictedSizes;
  /**
   * Baseline and chosen-state measurements, and the baseline's responses (one per invocation:
   * the cold one, then each event) so `check` and `export` can compare without re-running the
   * unmodified bundle; absent when they exceed 256 KiB as JSON.
   */
  verification: { baseline: StateMeasurement; final: StateMeasurement; golden?: unknown[] };
  /** Every measured state, the chosen one included. */
  alternatives: PlanAlternative[];
  /** Id of the chosen alternative, or null when none fits. */
  chosen: string | null;
  /** Sentences explaining the choice (or why nothing fits and what to try). */
  explanation: string[];
}
