import type { OnnxGraph, OnnxModel, OnnxNode, OnnxOpsetId } from '../onnx/onnx-types.js';
import type { GraphIndex } from './graph-index.js';
import { nodeId, type QuantizationPlan, type QuantizeDecision } from './plan-quantization.js';
import { MS_DOMAIN, RewriteContext } from './rewrite-context.js';
import { rewriteGather } from './rewrite-gather.js';
import { rewriteMatMul, type MatMulRewriteOptions } from './rewrite-matmul.js';
import { rewriteConvInteger, rewriteWeightStorage } from './rewrite-weights.js';

/** The rewritten model and what changed. */
export interface AppliedQuantization {
  model: OnnxModel;
  /** Nodes (or, for fp16, weights) that were rewritten. */
  nodesQuantized: number;
  /** Distinct weight tensors replaced. */
  weightsQuantized: number;
}

/**
 * Applies a plan to a model (pure: returns a new model; untouched nodes and tensors are shared
 * with the input and written back verbatim). Output names of rewritten nodes are kept, so
 * consumers and graph outputs need no change; weights nothing reads any more are dropped.
 */
export function applyQuantizationPlan(model: OnnxModel, index: GraphIndex, plan: QuantizationPlan, opts: MatMulRewriteOptions): AppliedQuantization {
  const ctx = new RewriteContext(index);
  const byNode = new Map<string, QuantizeDecision>();
  const storage = new Map<string, 'int8' | 'fp16'>();
  let nodesQuantized = 0;
  for (const d of plan.decisions) {
    if (d.action === 'keep') continue;
    nodesQuantized++;
    if (d.action === 'int8-weights' || d.action === 'fp16-weights') storage.set(d.weight, d.action === 'fp16-weights' ? 'fp16' : 'int8');
    else byNode.set(d.node, d);
  }
  const graph = index.graph;
  const nodes: OnnxNode[] = [];
  // Weights stored small are re-expanded by constant nodes placed before everything else.
  for (const [weight, kind] of storage) {
    if (!index.constants.get(weight)!.constantNode) nodes.push(...rewriteWeightStorage(weight, kind, ctx));
  }
  for (const node of graph.node) {
    if (node.opType === 'Constant' && storage.has(node.output[0] ?? '') && index.constants.get(node.output[0]!)?.constantNode === node) {
      nodes.push(...rewriteWeightStorage(node.output[0]!, storage.get(node.output[0]!)!, ctx));
      continue;
    }
    const d = byNode.get(nodeId(node));
    if (!d) {
      nodes.push(node);
      continue;
    }
    switch (d.action) {
      case 'int8-matmul':
      case 'int8-matmul-contrib':
      case 'int8-gemm':
      case 'int4-matmul':
      case 'int4-gemm':
        nodes.push(...rewriteMatMul(node, d.action, ctx, opts));
        break;
      case 'int8-gather':
      case 'int4-gather':
        nodes.push(...rewriteGather(node, d.action, ctx));
        break;
      case 'int8-conv':
        nodes.push(...rewriteConvInteger(node, ctx));
        break;
      default:
        nodes.push(node);
    }
  }

  // Drop the fp32 weights (initializers or Constant nodes) that nothing reads any more.
  const read = new Set<string>(index.subgraphReads);
  for (const n of nodes) for (const i of n.input) read.add(i);
  for (const o of graph.output) read.add(o.name ?? '');
  const replaced = new Set(plan.decisions.filter((d) => d.action !== 'keep').map((d) => d.weight));
  const keptNodes = nodes.filter((n) => !(n.opType === 'Constant' && replaced.has(n.output[0] ?? '') && !read.has(n.output[0]!)));
  const initializer = [
    ...graph.initializer.filter((t) => !(replaced.has(t.name ?? '') && (storage.has(t.name ?? '') || !read.has(t.name ?? '')))),
    ...ctx.initializers,
  ];
  const live = new Set<string>(initializer.map((t) => t.name ?? ''));
  for (const n of keptNodes) for (const o of n.output) live.add(o);
  const initializerNames = new Set(graph.initializer.map((t) => t.name ?? ''));
  for (const v of graph.input) if (!initializerNames.has(v.name ?? '')) live.add(v.name ?? '');
  // An IR-3 model lists its weights as graph inputs as well; drop the entries of replaced weights.
  const kept = new Set(initializer.map((t) => t.name ?? ''));
  const removed = new Set(graph.initializer.map((t) => t.name ?? '').filter((n) => !kept.has(n)));
  const newGraph: OnnxGraph = {
    ...graph,
    node: keptNodes,
    initializer,
    input: removed.size ? graph.input.filter((v) => !removed.has(v.name ?? '')) : graph.input,
    valueInfo: graph.valueInfo.filter((v) => live.has(v.name ?? '')),
  };
  let opsetImport: readonly OnnxOpsetId[] = model.opsetImport;
  if (ctx.usesContrib && !opsetImport.some((o) => o.domain === MS_DOMAIN)) opsetImport = [...opsetImport, { domain: MS_DOMAIN, version: 1 }];
  return {
    model: { ...model, graph: newGraph, opsetImport },
    nodesQuantized,
    weightsQuantized: replaced.size,
  };
}
