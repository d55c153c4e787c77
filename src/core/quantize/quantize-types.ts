import type { OperationOptions } from '../progress.js';
import type { AccuracyReport } from './compare-outputs.js';
import type { QuantizeDecision, QuantizeMode } from './plan-quantization.js';
import type { LayerSensitivity } from './rank-layer-sensitivity.js';

/** A technique, or `auto`: the smallest variant that passes the accuracy gate. */
export type QuantizeRequestMode = QuantizeMode | 'auto';

/** Options for `quantizeOnnxFile`. */
export interface QuantizeFileOptions extends OperationOptions {
  /** Default `int8`. */
  mode?: QuantizeRequestMode;
  /** Output path (default `<name>.<mode>.onnx` next to the input). Never the input itself. */
  out?: string;
  /** `--inputs` JSON file with real samples (see INPUTS_FILE_FORMAT); synthesized otherwise. */
  inputsFile?: string;
  /** Gate: lowest acceptable cosine similarity per output (default 0.99). */
  minCosine?: number;
  /** Gate: lowest acceptable top-1 agreement (0–1) for outputs with a class axis. */
  minTop1?: number;
  /** Synthesized samples (default 32). */
  samples?: number;
  /** Sequence length for token inputs (default 128). */
  sequenceLength?: number;
  /** Height and width for image inputs with free dims (default 320). */
  imageSize?: number;
  /** int8 MatMul weights per output channel (default true). */
  perChannel?: boolean;
  /** 7-bit int8 weights, onnxruntime's reduce_range (default true: no u8×s8 saturation on pre-VNNI x86). */
  reduceRange?: boolean;
  /** int4 blocks with zero points instead of symmetric ones (default false). */
  int4Asymmetric?: boolean;
  /** Conv through ConvInteger instead of int8 weight storage (default false). */
  convInteger?: boolean;
  /** Run the accuracy gate (default true; `auto` needs it). */
  verify?: boolean;
  /** onnxruntime intra-op threads for the measurements (default: onnxruntime's choice). */
  threads?: number;
  /** External data for the output: true, false or 'auto' (past 2 GB; default). */
  externalData?: boolean | 'auto';
}

/** One quantized variant that was built and measured. */
export interface QuantizeAttempt {
  /** e.g. `int8`, `int8-mixed`, `int4`, `fp16`. */
  variant: string;
  mode: QuantizeMode;
  /** Nodes left in fp32. */
  excluded: string[];
  bytes: number;
  nodesQuantized: number;
  cosine: number | null;
  top1Agreement: number | null;
  latencyMs: number | null;
  peakRssMB: number | null;
  passed: boolean;
  reasons: string[];
}

/** Everything `lambdafit quantize` reports. */
export interface QuantizeFileResult {
  input: { path: string; bytes: number; parameters: number; opset: number; producer?: string };
  output: { path: string; bytes: number; externalDataPath?: string };
  /** The technique of the written model. */
  mode: QuantizeMode;
  requestedMode: QuantizeRequestMode;
  /** The written variant (`int8-mixed` when layers were left in fp32). */
  variant: string;
  nodesQuantized: number;
  /** Nodes left in fp32 by mixed precision. */
  excludedNodes: string[];
  /** Node-by-node decisions, with reasons. */
  decisions: QuantizeDecision[];
  /** Null when the gate was skipped. */
  accuracy: AccuracyReport | null;
  /** Median per inference: wall-clock ms, and CPU ms of all threads (robust on a busy machine). */
  latency: {
    originalMs: number | null;
    quantizedMs: number | null;
    speedup: number | null;
    originalCpuMs: number | null;
    quantizedCpuMs: number | null;
    sequenceLength: number | null;
  };
  rss: { originalMB: number | null; quantizedMB: number | null };
  gate: { minCosine: number; minTop1: number | null; inputs: string; samples: number };
  passed: boolean;
  /** Why the gate failed (empty when it passed). */
  reasons: string[];
  /** Caveats, e.g. fp16 being disk-only on CPU. */
  notes: string[];
  /** Per-layer SQNR ranking, when mixed precision was searched. */
  sensitivity?: LayerSensitivity[];
  attempts: QuantizeAttempt[];
  timings: { readMs: number; quantizeMs: number; writeMs: number; verifyMs: number };
}
