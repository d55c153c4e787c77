import { AttributeType, DataType } from './data-type.js';
import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxOpsetId, OnnxTensor, OnnxValueInfo } from './onnx-types.js';
import { makeTensor, type TensorValues } from './tensor-data.js';

/**
 * Attribute values: integers become INT, other numbers FLOAT, arrays INTS (all integers) or
 * FLOATS; wrap in `{ float }`/`{ floats }`/`{ int }`/`{ ints }` to force a type.
 */
export type AttributeInit =
  | number
  | string
  | readonly number[]
  | OnnxTensor
  | { float: number }
  | { int: number }
  | { floats: readonly number[] }
  | { ints: readonly number[] }
  | { strings: readonly string[] }
  | { graph: OnnxGraph };

/** One dimension of a value's shape: a size, a symbolic name, or unknown. */
export type DimInit = number | string | undefined;

/** Builds an AttributeProto from a JS value. */
export function makeAttribute(name: string, value: AttributeInit): OnnxAttribute {
  const base = { name, floats: [], ints: [], strings: [], tensors: [], graphs: [] };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { ...base, type: AttributeType.INT, i: value } : { ...base, type: AttributeType.FLOAT, f: value };
  }
  if (typeof value === 'string') return { ...base, type: AttributeType.STRING, s: Buffer.from(value, 'utf8') };
  if (Array.isArray(value)) {
    const nums = value as readonly number[];
    return nums.every(Number.isInteger) ? { ...base, type: AttributeType.INTS, ints: [...nums] } : { ...base, type: AttributeType.FLOATS, floats: [...nums] };
  }
  const v = value as Exclude<AttributeInit, number | string | readonly number[]>;
  if ('float' in v) return { ...base, type: AttributeType.FLOAT, f: v.float };
  if ('int' in v) return { ...base, type: AttributeType.INT, i: v.int };
  if ('floats' in v && !('dims' in v)) return { ...base, type: AttributeType.FLOATS, floats: [...v.floats] };
  if ('ints' in v) return { ...base, type: AttributeType.INTS, ints: [...v.ints] };
  if ('strings' in v) return { ...base, type: AttributeType.STRINGS, strings: v.strings.map((s) => Buffer.from(s, 'utf8')) };
  if ('graph' in v) return { ...base, type: AttributeType.GRAPH, g: v.graph };
  return { ...base, type: AttributeType.TENSOR, t: v as OnnxTensor };
}

/** Builds a ValueInfoProto for a tensor value; omit `shape` for an unknown rank. */
export function makeValueInfo(name: string, elemType: number, shape?: readonly DimInit[]): OnnxValueInfo {
  const dims = shape?.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {}));
  return { name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims } } : {}) } } };
}

/** Options of a node added through `GraphBuilder.node`. */
export interface NodeOptions {
  /** Node name; a unique `<OpType>_<n>` is made up when absent. */
  name?: string;
  /** Operator domain, e.g. `com.microsoft`; absent for ai.onnx. */
  domain?: string;
  attributes?: Record<string, AttributeInit>;
}

/** Accumulates a graph: inputs, outputs, initializers and nodes in topological order. */
export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly inits: OnnxTensor[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly infos: OnnxValueInfo[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  /** @param name Graph name. */
  constructor(readonly name = 'graph') {}

  /** A value or node name not used yet in this graph, derived from `prefix`. */
  uniqueName(prefix: string): string {
    let n = prefix;
    while (this.used.has(n)) n = `${prefix}_${++this.counter}`;
    this.used.add(n);
    return n;
  }

  /** Declares a graph input and returns its name. */
  input(name: string, elemType: number, shape?: readonly DimInit[]): string {
    this.used.add(name);
    this.inputs.push(makeValueInfo(name, elemType, shape));
    return name;
  }

  /** Declares a graph output (produced by some node) and returns its name. */
  output(name: string, elemType: number, shape?: readonly DimInit[]): string {
    this.outputs.push(makeValueInfo(name, elemType, shape));
    return name;
  }

  /** Adds a value_info annotation. */
  valueInfo(name: string, elemType: number, shape?: readonly DimInit[]): void {
    this.infos.push(makeValueInfo(name, elemType, shape));
  }

  /** Adds an initializer tensor and returns its name. */
  addTensor(tensor: OnnxTensor): string {
    this.used.add(tensor.name ?? '');
    this.inits.push(tensor);
    return tensor.name ?? '';
  }

  /** Adds an initializer from values (typed arrays are referenced, not copied) and returns its name. */
  initializer(name: string, dataType: number, dims: readonly number[], values: TensorValues | readonly number[]): string {
    return this.addTensor(makeTensor(this.uniqueName(name), dataType, dims, values));
  }

  /** Adds a FLOAT initializer. */
  floats(name: string, dims: readonly number[], values: Float32Array | readonly number[]): string {
    return this.initializer(name, DataType.FLOAT, dims, values);
  }

  /** Adds an INT64 initializer (shapes, axes, indices). */
  int64s(name: string, dims: readonly number[], values: readonly number[]): string {
    return this.initializer(name, DataType.INT64, dims, values);
  }

  /** Appends a node with explicit output names; nodes must be added in topological order. */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], opts: NodeOptions = {}): OnnxNode {
    for (const o of outputs) this.used.add(o);
    const attribute = Object.entries(opts.attributes ?? {}).map(([k, v]) => makeAttribute(k, v));
    const node: OnnxNode = {
      input: [...inputs],
      output: [...outputs],
      name: opts.name ?? this.uniqueName(`${opType}_${this.nodes.length}`),
      opType,
      ...(opts.domain ? { domain: opts.domain } : {}),
      attribute,
    };
    this.nodes.push(node);
    return node;
  }

  /** Appends a single-output node and returns its (generated) output name. */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, AttributeInit>, opts: Omit<NodeOptions, 'attributes'> = {}): string {
    const out = this.uniqueName(`${opts.name ?? opType.toLowerCase()}_out`);
    this.node(opType, inputs, [out], { ...opts, attributes });
    return out;
  }

  /** The finished GraphProto. */
  build(): OnnxGraph {
    return {
      node: [...this.nodes],
      name: this.name,
      initializer: [...this.inits],
      input: [...this.inputs],
      output: [...this.outputs],
      valueInfo: [...this.infos],
    };
  }
}

/** Options of a new model. */
export interface ModelBuilderOptions {
  /** ai.onnx opset version (default 17). */
  opset?: number;
  /** IR version (default: the one matching the opset, per onnx docs/Versioning.md). */
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  graphName?: string;
  docString?: string;
}

/** IR version that introduced each ai.onnx opset (onnx docs/Versioning.md). */
export function irVersionForOpset(opset: number): number {
  if (opset <= 8) return 3;
  if (opset <= 10) return 5;
  if (opset <= 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  if (opset <= 23) return 11;
  if (opset <= 24) return 12;
  return 13;
}

/** Builds a ModelProto around one GraphBuilder. */
export class ModelBuilder {
  /** The main graph. */
  readonly graph: GraphBuilder;
  private readonly opsets = new Map<string, number>();

  constructor(private readonly opts: ModelBuilderOptions = {}) {
    this.graph = new GraphBuilder(opts.graphName ?? 'main');
    this.opsets.set('', opts.opset ?? 17);
  }

  /** Imports an operator set (e.g. `com.microsoft` 1 for contrib ops). */
  opset(domain: string, version: number): this {
    this.opsets.set(domain, version);
    return this;
  }

  /** The finished ModelProto. */
  build(): OnnxModel {
    const opset = this.opsets.get('') ?? 17;
    const opsetImport: OnnxOpsetId[] = [...this.opsets].map(([domain, version]) => ({ domain, version }));
    return {
      irVersion: this.opts.irVersion ?? irVersionForOpset(opset),
      producerName: this.opts.producerName ?? 'lambdafit',
      ...(this.opts.producerVersion ? { producerVersion: this.opts.producerVersion } : {}),
      ...(this.opts.docString ? { docString: this.opts.docString } : {}),
      graph: this.graph.build(),
      opsetImport,
      metadataProps: [],
    };
  }
}
