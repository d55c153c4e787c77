import { DataType } from '../onnx/data-type.js';
import { makeAttribute, type AttributeInit } from '../onnx/model-builder.js';
import type { OnnxNode, OnnxTensor } from '../onnx/onnx-types.js';
import { makeTensor, tensorElementCount, tensorFloat32, type TensorValues } from '../onnx/tensor-data.js';
import { NameAllocator, type GraphIndex } from './graph-index.js';

/** onnxruntime's contrib operator domain. */
export const MS_DOMAIN = 'com.microsoft';

/** The three outputs of a DynamicQuantizeLinear on one activation. */
export interface QuantizedActivation {
  q: string;
  scale: string;
  zeroPoint: string;
}

/**
 * Shared state while one graph is rewritten: unique names, the new initializers, one
 * DynamicQuantizeLinear per activation (every consumer reuses it, as onnxruntime's tool does),
 * and whether contrib operators were emitted.
 */
export class RewriteContext {
  /** Allocates names that collide with nothing in the graph. */
  readonly names: NameAllocator;
  /** Initializers added by the rewrite. */
  readonly initializers: OnnxTensor[] = [];
  /** Set when a com.microsoft node was emitted (the model then imports that domain). */
  usesContrib = false;
  private readonly activations = new Map<string, QuantizedActivation>();
  private readonly reused = new Map<string, unknown>();
  private scratch: Float32Array | undefined;

  constructor(readonly index: GraphIndex) {
    this.names = new NameAllocator(index.names);
  }

  /** Adds an initializer under a fresh name derived from `base` and returns that name. */
  tensor(base: string, dataType: number, dims: readonly number[], values: TensorValues | readonly number[]): string {
    const name = this.names.unique(base);
    this.initializers.push(makeTensor(name, dataType, dims, values));
    return name;
  }

  /** Builds a node (named uniquely after `name`). */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], name: string, attributes: Record<string, AttributeInit> = {}, domain?: string): OnnxNode {
    if (domain === MS_DOMAIN) this.usesContrib = true;
    return {
      input: [...inputs],
      output: [...outputs],
      name: this.names.unique(name),
      opType,
      ...(domain ? { domain } : {}),
      attribute: Object.entries(attributes).map(([k, v]) => makeAttribute(k, v)),
    };
  }

  /**
   * The uint8 quantization of activation `x`, emitting its DynamicQuantizeLinear into `out` the
   * first time it is asked for (right before its first quantized consumer, so order stays valid).
   */
  quantizeActivation(x: string, out: OnnxNode[]): QuantizedActivation {
    const known = this.activations.get(x);
    if (known) return known;
    const base = x.replace(/[^A-Za-z0-9_.:/-]/g, '_');
    const qa = {
      q: this.names.unique(`${base}_quantized`),
      scale: this.names.unique(`${base}_scale`),
      zeroPoint: this.names.unique(`${base}_zero_point`),
    };
    out.push(this.node('DynamicQuantizeLinear', [x], [qa.q, qa.scale, qa.zeroPoint], `${base}_QuantizeLinear`));
    this.activations.set(x, qa);
    return qa;
  }

  /**
   * The fp32 values of a constant weight, valid until the next call: misaligned raw data is
   * copied into one reused scratch array rather than a new one per tensor, which saves the
   * allocation (and page faults) of a second copy of every weight. Callers consume it at once.
   */
  weightValues(name: string): Float32Array {
    const c = this.index.constants.get(name);
    if (!c || c.tensor.dataType !== DataType.FLOAT) throw new Error(`${name} is not a float constant`);
    const raw = c.tensor.rawData;
    if (raw && raw.byteOffset % 4 !== 0 && raw.length === tensorElementCount(c.tensor) * 4) {
      const n = raw.length / 4;
      if (!this.scratch || this.scratch.length < n) this.scratch = new Float32Array(n);
      const view = this.scratch.subarray(0, n);
      new Uint8Array(view.buffer, 0, raw.length).set(raw);
      return view;
    }
    return tensorFloat32(c.tensor);
  }

  /** Memoizes a derived artefact (e.g. one weight quantized once for two consumers). */
  once<T>(key: string, make: () => T): T {
    if (this.reused.has(key)) return this.reused.get(key) as T;
    const v = make();
    this.reused.set(key, v);
    return v;
  }
}
