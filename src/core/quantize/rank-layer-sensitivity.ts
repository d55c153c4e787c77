import { join } from 'node:path';
import { DataType } from '../onnx/data-type.js';
import { makeValueInfo } from '../onnx/model-builder.js';
import type { OnnxModel } from '../onnx/onnx-types.js';
import { writeOnnxModel } from '../onnx/write-onnx-model.js';
import { nodeId, type QuantizationPlan } from './plan-quantization.js';
import { compareTensors, type ProbeOptions, type ProbeSample } from './run-ort-probe.js';

/** How much one quantized layer hurts, measured on its output activation. */
export interface LayerSensitivity {
  node: string;
  output: string;
  /** SQNR of the layer's output, quantized vs fp32 model, in dB (higher is better; ~40 dB ≈ 1 % error). */
  sqnrDb: number;
  /** SQNR of the layer's input activation (error arriving from earlier layers); 200 for graph inputs. */
  inputSqnrDb: number;
  /**
   * SQNR of the error the layer adds itself, in dB: the output's noise-to-signal ratio minus the
   * input's (errors add roughly independently). The ranking key: lowest is worst.
   */
  ownSqnrDb: number;
}

const CAP_DB = 200;

/** A copy of the model whose graph also outputs `tensors` (float, shape left to onnxruntime). */
export function exposeTensors(model: OnnxModel, tensors: readonly string[]): OnnxModel {
  const graph = model.graph!;
  const present = new Set(graph.output.map((o) => o.name));
  const extra = tensors.filter((t) => !present.has(t)).map((t) => makeValueInfo(t, DataType.FLOAT));
  return { ...model, graph: { ...graph, output: [...graph.output, ...extra] } };
}

/**
 * Ranks the quantized layers by the error each adds (reference §8, like onnxruntime's
 * qdq_loss_debug): both models expose every quantized layer's input and output, run on the same
 * samples, and SQNR is computed per tensor. Worst first.
 */
export async function rankLayerSensitivity(
  original: OnnxModel,
  quantized: OnnxModel,
  plan: QuantizationPlan,
  samples: readonly ProbeSample[],
  workDir: string,
  opts: ProbeOptions = {},
): Promise<LayerSensitivity[]> {
  const byId = new Map(original.graph!.node.map((n) => [nodeId(n), n]));
  const floats = new Set<string>();
  const graphInputs = new Set(original.graph!.input.map((v) => v.name ?? ''));
  const layers = plan.decisions
    .filter((d) => d.action !== 'keep' && d.action !== 'fp16-weights')
    .map((d) => {
      const node = byId.get(d.node)!;
      // Gather reads integer ids: its "input" error is nil, so use its output alone.
      const input = node.opType === 'Gather' ? undefined : node.input[0];
      return { node: d.node, output: node.output[0]!, input };
    });
  for (const l of layers) {
    floats.add(l.output);
    if (l.input && !graphInputs.has(l.input)) floats.add(l.input);
  }
  const tensors = [...floats];
  const refPath = join(workDir, 'sensitivity-reference.onnx');
  const candPath = join(workDir, 'sensitivity-candidate.onnx');
  await writeOnnxModel(exposeTensors(original, tensors), refPath, { signal: opts.signal });
  await writeOnnxModel(exposeTensors(quantized, tensors), candPath, { signal: opts.signal });
  const errors = await compareTensors(refPath, candPath, samples, tensors, opts);
  const nsr = (t: string | undefined) => {
    const e = t ? errors[t] : undefined;
    if (!e || e.noise <= 0) return 0;
    return e.signal > 0 ? e.noise / e.signal : Infinity;
  };
  const toDb = (r: number) => (r <= 0 ? CAP_DB : Math.min(CAP_DB, -10 * Math.log10(r)));
  return layers
    .map((l) => {
      const out = nsr(l.output);
      const inp = l.input && !graphInputs.has(l.input) ? nsr(l.input) : 0;
      return { node: l.node, output: l.output, sqnrDb: toDb(out), inputSqnrDb: toDb(inp), ownSqnrDb: toDb(Math.max(0, out - inp)) };
    })
    .sort((a, b) => a.ownSqnrDb - b.ownSqnrDb || a.sqnrDb - b.sqnrDb);
}
