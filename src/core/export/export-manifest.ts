import type { Architecture, Target } from '../config/config-schema.js';
import type { LimitCheck } from '../limits/measure-limits.js';
import type { FitPlan, KeepStep, OutputMismatch, PlacementStep, StateMeasurement } from '../plan/fit-plan.js';
import type { MaterializedModel } from '../plan/materialize-plan.js';
import type { Risk } from '../rules/schema.js';

/** Version of `manifest.json`; bumped on any incompatible change. */
export const EXPORT_MANIFEST_VERSION = 1;

/** One written artifact file. */
export interface ManifestArtifact {
  /** Path inside the export folder (`function.zip`, `layers/ort.zip`, `objects/model.onnx`). */
  file: string;
  bytes: number;
  sha256: string;
}

/** A file the plan removed from the package, with the rule that removed it. */
export interface ManifestRemovedFile {
  path: string;
  bytes: number;
  ruleId: string;
  ruleSet: string;
  risk: Risk;
  /** What the rule removes (its description). */
  reason: string;
}

/** What the export's own cold start of the written zip measured. */
export interface ExportVerification extends StateMeasurement {
  /** Sandbox isolation mode (`kernel` or `portable`). */
  isolation: string;
  /** Whether responses were compared with the plan's golden ones (false: only success was required). */
  comparedWithGolden: boolean;
  /** Objects the function fetched from the local object store during the run. */
  objectFetches: { key: string; bytes: number; ms: number }[];
}

/** `manifest.json`: the audit trail of one export. Plain JSON. */
export interface ExportManifest {
  format: 'lambdafit-export';
  version: typeof EXPORT_MANIFEST_VERSION;
  /** lambdafit's version (package.json). */
  lambdafit: string;
  /** ISO time of the export; `SOURCE_DATE_EPOCH` when set, so reproducible builds can pin it. */
  createdAt: string;
  input: { path: string; type: string; treeHash: string; files: number; unzippedBytes: number; zippedBytes: number };
  /** The plan applied, or null when the bundle was exported unchanged. */
  plan: { path: string | null; createdAt: string; chosen: string | null; explanation: string[] } | null;
  target: Target;
  arch: Architecture;
  function: { runtime: string; handler: string; memorySize: number; ephemeralStorage: number; timeout: number; environment: Record<string, string> };
  artifacts: {
    function: ManifestArtifact & { files: number; unzippedBytes: number; predictedBytes: number };
    layers: (ManifestArtifact & { name: string; unzippedBytes: number })[];
    objects: (ManifestArtifact & { key: string })[];
    /** Other files of the export folder (template, deploy script, Dockerfile). */
    other: string[];
  };
  /** Every file the plan's prune steps removed, in path order. */
  removed: ManifestRemovedFile[];
  /** Files rules wanted to remove but the function needs, with the bisection's evidence. */
  kept: { ruleId: string; ruleSet: string; files: string[]; evidence: KeepStep['evidence'] }[];
  quantization: {
    modelPath: string;
    mode: string;
    variant: string;
    inputBytes: number;
    outputBytes: number;
    sha256: string;
    accuracy: { cosine: number | null; top1Agreement: number | null; minCosine: number; passed: boolean };
    /** `cache`: the very file fit verified; `quantized`: rebuilt from the input, same sha256. */
    source: string;
  }[];
  placements: { strategy: string; description: string; moved: { path: string; bytes: number }[]; added: { path: string; sha256: string }[]; objects: string[]; layers: string[]; environment: Record<string, string> }[];
  measurements: {
    /** What `fit` measured for the unmodified bundle and the chosen state (null without a plan). */
    fit: { baseline: StateMeasurement; final: StateMeasurement } | null;
    /** The cold start of the written zip itself (null with --no-verify). */
    export: ExportVerification | null;
  };
  /** Every limit of the written artifacts, for the target. */
  limits: { id: string; description: string; applies: boolean; unit: string; used: number; limit: number; headroom: number; fits: boolean; message?: string }[];
  /** Whether every limit of the target is met. */
  fits: boolean;
}

/** Everything {@link buildExportManifest} puts together. */
export interface ExportManifestInput {
  lambdafit: string;
  createdAt: string;
  input: ExportManifest['input'];
  plan: FitPlan | null;
  planPath: string | null;
  target: Target;
  arch: Architecture;
  function: ExportManifest['function'];
  artifacts: ExportManifest['artifacts'];
  /** Sizes of the input's files, for the removed list. */
  fileBytes: ReadonlyMap<string, number>;
  /** Paths the plan removed (`applyPlanToFiles(...).removed`). */
  removed: readonly string[];
  models: readonly MaterializedModel[];
  limits: readonly LimitCheck[];
  fits: boolean;
  verification: ExportVerification | null;
}

/**
 * The manifest's timestamp: `SOURCE_DATE_EPOCH` (seconds) when set — the reproducible-builds
 * convention the zip timestamps follow too — else now.
 */
export function exportTimestamp(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): string {
  const epoch = env.SOURCE_DATE_EPOCH?.trim();
  return epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000).toISOString() : now.toISOString();
}

/** Assembles `manifest.json` from the plan, the written artifacts and what was measured. Pure. */
export function buildExportManifest(m: ExportManifestInput): ExportManifest {
  const steps = m.plan?.steps ?? [];
  const removedSet = new Set(m.removed);
  const removed: ManifestRemovedFile[] = [];
  const seen = new Set<string>();
  for (const step of steps) {
    if (step.kind !== 'prune') continue;
    for (const f of step.files) {
      if (!removedSet.has(f.path) || seen.has(f.path)) continue;
      seen.add(f.path);
      removed.push({ path: f.path, bytes: m.fileBytes.get(f.path) ?? f.bytes, ruleId: step.ruleId, ruleSet: step.ruleSet, risk: step.risk, reason: step.description });
    }
  }
  removed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const source = new Map(m.models.map((x) => [x.modelPath, x.from]));
  return {
    format: 'lambdafit-export',
    version: EXPORT_MANIFEST_VERSION,
    lambdafit: m.lambdafit,
    createdAt: m.createdAt,
    input: m.input,
    plan: m.plan ? { path: m.planPath, createdAt: m.plan.createdAt, chosen: m.plan.chosen, explanation: m.plan.explanation } : null,
    target: m.target,
    arch: m.arch,
    function: m.function,
    artifacts: m.artifacts,
    removed,
    kept: steps.filter((s): s is KeepStep => s.kind === 'keep').map((s) => ({ ruleId: s.ruleId, ruleSet: s.ruleSet, files: s.files, evidence: s.evidence })),
    quantization: steps.flatMap((s) =>
      s.kind === 'quantize' && source.has(s.modelPath)
        ? [{ modelPath: s.modelPath, mode: s.mode, variant: s.variant, inputBytes: s.inputBytes, outputBytes: s.outputBytes, sha256: s.outputHash, accuracy: s.accuracy, source: source.get(s.modelPath)! }]
        : [],
    ),
    placements: steps
      .filter((s): s is PlacementStep => s.kind === 'placement')
      .map((s) => ({
        strategy: s.strategy,
        description: s.description,
        moved: s.moved,
        added: s.added.map((a) => ({ path: a.path, sha256: a.hash })),
        objects: s.objects.map((o) => o.key),
        layers: s.layers.map((l) => l.name),
        environment: s.environment,
      })),
    measurements: { fit: m.plan ? { baseline: m.plan.verification.baseline, final: m.plan.verification.final } : null, export: m.verification },
    limits: m.limits
      .filter((l) => l.applies)
      .map((l) => ({ id: l.id, description: l.description, applies: l.applies, unit: l.unit, used: l.used, limit: l.limit, headroom: l.headroom, fits: l.fits, ...(l.message ? { message: l.message } : {}) })),
    fits: m.fits,
  };
}

/** The first output difference of a verification, as one line (for reports). */
export function describeMismatch(m: OutputMismatch): string {
  return `${m.event} ${m.path}: expected ${m.expected}, got ${m.got}`;
}
