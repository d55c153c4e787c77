import { InputError } from '../errors.js';
import type { OnnxModel } from '../onnx/onnx-types.js';
import { applyQuantizationPlan } from './apply-quantization-plan.js';
import { defaultOpset, indexGraph } from './graph-index.js';
import { planQuantization, type QuantizationPlan, type QuantizeMode } from './plan-quantization.js';

/** Oldest and newest ai.onnx opsets the quantizer rewrites (7 = first opset onnxruntime loads; 25 = IR 13). */
export const SUPPORTED_OPSETS = { min: 7, max: 25 } as const;

/** Options for {@link quantizeModel}. */
export interface QuantizeModelOptions {
  mode: QuantizeMode;
  /** Node ids left in fp32 (mixed precision). */
  exclude?: ReadonlySet<string>;
  /** int8 MatMul weights: one scale per output column (default true) or per tensor. */
  perChannel?: boolean;
  /**
   * 7-bit int8 weights (onnxruntime's reduce_range). Default true: x86 CPUs without VNNI (which
   * Lambda's x86_64 hosts may be) compute u8×s8 with VPMADDUBSW, whose 16-bit pair sums saturate
   * on full-range weights (measured here: cosine 0.97 instead of 0.9999 on uniform inputs).
   * Turn off for arm64 or VNNI-only targets to gain a little accuracy.
   */
  reduceRange?: boolean;
  /** int4: 4-bit blocks with zero points (min/max) instead of symmetric ones. Default false. */
  int4Asymmetric?: boolean;
  /** Conv through ConvInteger (activations quantized too) instead of int8 weight storage. Default false. */
  convInteger?: boolean;
  /** Weights with fewer elements stay fp32. Default 1,024. */
  minElements?: number;
  /** Name used in error messages. */
  source?: string;
}

/** A quantized model in memory, with the plan that explains it. */
export interface QuantizedModel {
  model: OnnxModel;
  plan: QuantizationPlan;
  nodesQuantized: number;
  weightsQuantized: number;
}

/** Throws one clear InputError when the quantizer cannot rewrite this model's opset. */
export function checkQuantizable(model: OnnxModel, source = 'model'): number {
  const opset = defaultOpset(model);
  if (opset === undefined) {
    throw new InputError(`${source} imports no ai.onnx opset; it cannot be quantized (re-export it with a standard opset).`, 'E_ONNX_OPSET');
  }
  if (opset < SUPPORTED_OPSETS.min || opset > SUPPORTED_OPSETS.max) {
    throw new InputError(
      `${source} uses ai.onnx opset ${opset}, outside the ${SUPPORTED_OPSETS.min}–${SUPPORTED_OPSETS.max} lambdafit can quantize; convert it (onnx.version_converter) or re-export with opset 17.`,
      'E_ONNX_OPSET',
    );
  }
  return opset;
}

/**
 * Quantizes a model in memory with one fixed technique (pure: no I/O). Weights shared by
 * several nodes are quantized once.
 */
export function quantizeModel(model: OnnxModel, opts: QuantizeModelOptions): QuantizedModel {
  checkQuantizable(model, opts.source);
  const index = indexGraph(model);
  const plan = planQuantization(index, { mode: opts.mode, exclude: opts.exclude, minElements: opts.minElements, convInteger: opts.convInteger });
  const applied = applyQuantizationPlan(model, index, plan, { perChannel: opts.perChannel ?? true, reduceRange: opts.reduceRange ?? true, int4Asymmetric: opts.int4Asymmetric });
  return { model: applied.model, plan, nodesQuantized: applied.nodesQuantized, weightsQuantized: applied.weightsQuantized };
}
