import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor } from '../onnx/onnx-types.js';

/** A constant weight: an initializer, or the value of a `Constant` node (as paddle2onnx writes them). */
export interface ConstantWeight {
  tensor: OnnxTensor;
  /** The `Constant` node that produces it, when it is not an initializer. */
  constantNode?: OnnxNode;
}

/** Lookups over one graph that the quantization planner and rewriters need. */
export interface GraphIndex {
  graph: OnnxGraph;
  /** ai.onnx opset version. */
  opset: number;
  /** Constant tensors by value name (initializers and Constant-node outputs). */
  constants: Map<string, ConstantWeight>;
  /** Nodes reading each value (main graph only). */
  consumers: Map<string, OnnxNode[]>;
  /** Names read from inside subgraphs (If/Loop/Scan bodies) — never rewire or drop these. */
  subgraphReads: Set<string>;
  graphInputs: Set<string>;
  graphOutputs: Set<string>;
  /** Every value and node name in use, to make new names unique. */
  names: Set<string>;
}

/** The ai.onnx opset a model imports (default domain `""` or `ai.onnx`). */
export function defaultOpset(model: OnnxModel): number | undefined {
  return model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version;
}

/** Reads an attribute by name. */
export function attr(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attribute.find((a) => a.name === name);
}

/** An INT attribute's value, or `fallback`. */
export function intAttr(node: OnnxNode, name: string, fallback: number): number {
  return attr(node, name)?.i ?? fallback;
}

/** A FLOAT attribute's value, or `fallback`. */
export function floatAttr(node: OnnxNode, name: string, fallback: number): number {
  return attr(node, name)?.f ?? fallback;
}

function collectSubgraphReads(graph: OnnxGraph, into: Set<string>): void {
  for (const n of graph.node) {
    for (const i of n.input) if (i) into.add(i);
    for (const a of n.attribute) {
      if (a.g) collectSubgraphReads(a.g, into);
      for (const g of a.graphs) collectSubgraphReads(g, into);
    }
  }
}

/** Builds the lookups for a model's main graph. */
export function indexGraph(model: OnnxModel): GraphIndex {
  const graph = model.graph!;
  const constants = new Map<string, ConstantWeight>();
  const consumers = new Map<string, OnnxNode[]>();
  const subgraphReads = new Set<string>();
  const names = new Set<string>();
  const graphInputs = new Set(graph.input.map((v) => v.name ?? ''));
  // IR < 4 required every initializer to be listed as a graph input too; there, such inputs are
  // still weights. From IR 4 on, an initializer that is also an input is a run-time override.
  const listedWeightsAreConstant = (model.irVersion ?? 0) < 4;
  for (const t of graph.initializer) {
    names.add(t.name ?? '');
    if (listedWeightsAreConstant || !graphInputs.has(t.name ?? '')) constants.set(t.name ?? '', { tensor: t });
  }
  for (const v of graph.input) names.add(v.name ?? '');
  for (const n of graph.node) {
    if (n.name) names.add(n.name);
    for (const o of n.output) names.add(o);
    for (const i of n.input) {
      if (!i) continue;
      let list = consumers.get(i);
      if (!list) consumers.set(i, (list = []));
      list.push(n);
    }
    for (const a of n.attribute) {
      if (a.g) collectSubgraphReads(a.g, subgraphReads);
      for (const g of a.graphs) collectSubgraphReads(g, subgraphReads);
    }
    if (n.opType === 'Constant' && !n.domain && n.output.length === 1) {
      const value = attr(n, 'value');
      if (value?.t) constants.set(n.output[0]!, { tensor: value.t, constantNode: n });
    }
  }
  return {
    graph,
    opset: defaultOpset(model) ?? 1,
    constants,
    consumers,
    subgraphReads,
    graphInputs,
    graphOutputs: new Set(graph.output.map((v) => v.name ?? '')),
    names,
  };
}

/** Allocates value/node names that do not collide with the graph's. */
export class NameAllocator {
  constructor(private readonly used: Set<string>) {}

  /** `base` itself when free, else `base_1`, `base_2`… */
  unique(base: string): string {
    if (!this.used.has(base)) {
      this.used.add(base);
      return base;
    }
    for (let i = 1; ; i++) {
      const n = `${base}_${i}`;
      if (!this.used.has(n)) {
        this.used.add(n);
        return n;
      }
    }
  }
}
