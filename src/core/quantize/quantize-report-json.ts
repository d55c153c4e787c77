import type { AccuracyReport, OutputAccuracy } from './compare-outputs.js';
import type { QuantizeFileResult } from './quantize-types.js';

/**
 * The `lambdafit quantize --json` document: a stable, documented subset of the result (the
 * help text lists every field). Numbers are plain JSON numbers; unknown figures are null.
 */
export interface QuantizeReportJson {
  input: { path: string; bytes: number; parameters: number; opset: number; producer: string | null };
  output: { path: string; bytes: number };
  mode: string;
  requestedMode: string;
  variant: string;
  nodesQuantized: number;
  excludedNodes: string[];
  accuracy: (Omit<AccuracyReport, 'outputs'> & { outputs: Pick<OutputAccuracy, 'name' | 'cosine' | 'maxAbsDiff' | 'relRmse' | 'top1Agreement'>[] }) | null;
  latency: { originalMs: number | null; quantizedMs: number | null; speedup: number | null; originalCpuMs: number | null; quantizedCpuMs: number | null; sequenceLength: number | null };
  rss: { originalMB: number | null; quantizedMB: number | null };
  gate: { minCosine: number; minTop1: number | null; inputs: string; samples: number };
  passed: boolean;
  reasons: string[];
  notes: string[];
  attempts: Array<{ variant: string; bytes: number; cosine: number | null; top1Agreement: number | null; latencyMs: number | null; peakRssMB: number | null; passed: boolean }>;
  decisions: Array<{ node: string; opType: string; action: string; reason: string; weightBytes: number }>;
}

const round = (v: number | null, digits = 6): number | null => (v === null || !Number.isFinite(v) ? v : Number(v.toPrecision(digits)));

/** Builds the `--json` document from a quantization result. */
export function quantizeReportJson(r: QuantizeFileResult): QuantizeReportJson {
  return {
    input: { path: r.input.path, bytes: r.input.bytes, parameters: r.input.parameters, opset: r.input.opset, producer: r.input.producer ?? null },
    output: { path: r.output.path, bytes: r.output.bytes },
    mode: r.mode,
    requestedMode: r.requestedMode,
    variant: r.variant,
    nodesQuantized: r.nodesQuantized,
    excludedNodes: r.excludedNodes,
    accuracy: r.accuracy && {
      cosine: round(r.accuracy.cosine)!,
      minCosine: round(r.accuracy.minCosine)!,
      maxAbsDiff: round(r.accuracy.maxAbsDiff)!,
      relRmse: round(r.accuracy.relRmse)!,
      top1Agreement: round(r.accuracy.top1Agreement),
      samples: r.accuracy.samples,
      outputs: r.accuracy.outputs.map((o) => ({ name: o.name, cosine: round(o.cosine)!, maxAbsDiff: round(o.maxAbsDiff)!, relRmse: round(o.relRmse)!, top1Agreement: round(o.top1Agreement) })),
    },
    latency: {
      originalMs: round(r.latency.originalMs, 4),
      quantizedMs: round(r.latency.quantizedMs, 4),
      speedup: round(r.latency.speedup, 3),
      originalCpuMs: round(r.latency.originalCpuMs, 4),
      quantizedCpuMs: round(r.latency.quantizedCpuMs, 4),
      sequenceLength: r.latency.sequenceLength,
    },
    rss: { originalMB: round(r.rss.originalMB, 4), quantizedMB: round(r.rss.quantizedMB, 4) },
    gate: r.gate,
    passed: r.passed,
    reasons: r.reasons,
    notes: r.notes,
    attempts: r.attempts.map((a) => ({ variant: a.variant, bytes: a.bytes, cosine: round(a.cosine), top1Agreement: round(a.top1Agreement), latencyMs: round(a.latencyMs, 4), peakRssMB: round(a.peakRssMB, 4), passed: a.passed })),
    decisions: r.decisions.map((d) => ({ node: d.node, opType: d.opType, action: d.action, reason: d.reason, weightBytes: d.weightBytes })),
  };
}
