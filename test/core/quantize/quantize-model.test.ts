import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { DataType } from '../../../src/core/onnx/data-type.js';
import { serializeOnnxModel } from '../../../src/core/onnx/encode-onnx-model.js';
import { makeAttribute, ModelBuilder } from '../../../src/core/onnx/model-builder.js';
import type { OnnxModel } from '../../../src/core/onnx/onnx-types.js';
import { readOnnxModel } from '../../../src/core/onnx/read-onnx-model.js';
import { makeTensor } from '../../../src/core/onnx/tensor-data.js';
import { quantizeModel } from '../../../src/core/quantize/quantize-model.js';
import { hasPythonOnnx, runPython } from '../onnx/python-onnx.js';
import { cosine, randomFloats, runModel, type Feeds } from './ort-helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-quant-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Embedding → two MatMuls sharing one activation → Relu → MatMul + bias: the transformer pattern in small. */
function encoderLike(opset = 17): OnnxModel {
  const mb = new ModelBuilder({ opset });
  const g = mb.graph;
  g.input('ids', DataType.INT64, ['batch', 'seq']);
  const h = g.op('Gather', [g.floats('embeddings', [200, 64], randomFloats(200 * 64, 1, 0.1)), 'ids'], { axis: 0 }, { name: 'embed' });
  const q = g.op('MatMul', [h, g.floats('wq', [64, 64], randomFloats(64 * 64, 2, 0.1))], undefined, { name: 'q' });
  const k = g.op('MatMul', [h, g.floats('wk', [64, 64], randomFloats(64 * 64, 3, 0.1))], undefined, { name: 'k' });
  const y = g.op('Relu', [g.op('Add', [q, k])]);
  const o = g.op('MatMul', [y, g.floats('wo', [64, 32], randomFloats(64 * 32, 4, 0.1))], undefined, { name: 'out_proj' });
  g.node('Add', [o, g.floats('bo', [32], randomFloats(32, 5, 0.1))], ['logits']);
  g.output('logits', DataType.FLOAT, ['batch', 'seq', 32]);
  return mb.build();
}

const idsFeed = (): Feeds => ({ ids: { type: 'int64', data: BigInt64Array.from({ length: 2 * 16 }, (_, i) => BigInt((i * 37) % 200)), dims: [2, 16] } });

describe('int8', () => {
  it('emits the onnxruntime recipe: one DynamicQuantizeLinear per activation, one scales-Mul per MatMul, names kept', async () => {
    const model = encoderLike();
    const q = quantizeModel(model, { mode: 'int8' });
    const nodes = q.model.graph!.node;
    const count = (op: string) => nodes.filter((n) => n.opType === op).length;
    expect(count('DynamicQuantizeLinear')).toBe(2); // h (shared by q and k) and y
    expect(count('MatMulInteger')).toBe(3);
    expect(nodes.filter((n) => n.opType === 'Mul' && n.name?.endsWith('_quant_scales_mul'))).toHaveLength(3);
    expect(nodes.filter((n) => n.opType === 'MatMul')).toHaveLength(0);
    // Consumers are untouched: the quantized MatMuls produce the original output names.
    for (const name of ['q', 'k', 'out_proj']) {
      const original = model.graph!.node.find((n) => n.name === name)!.output[0]!;
      expect(nodes.some((n) => n.output.includes(original))).toBe(true);
    }
    // The fp32 weights are gone, replaced by int8 ones with per-column scales.
    const inits = new Map(q.model.graph!.initializer.map((t) => [t.name, t]));
    expect(inits.has('wq')).toBe(false);
    expect(inits.get('wq_quantized')?.dataType).toBe(DataType.INT8);
    expect(inits.get('wq_scale')?.dims).toEqual([64]);
    expect(inits.get('embeddings_quantized')?.dataType).toBe(DataType.INT8);
    expect(inits.get('embeddings_row_scales')?.dims).toEqual([200, 1]);
    expect(serializeOnnxModel(q.model).length).toBeLessThan(serializeOnnxModel(model).length / 3);

    const [a, b] = [await runModel(model, idsFeed()), await runModel(q.model, idsFeed())];
    expect(cosine(a.logits!, b.logits!)).toBeGreaterThan(0.999);
  });

  it('is fused by onnxruntime into its integer kernels', async () => {
    const q = quantizeModel(encoderLike(), { mode: 'int8' });
    const optimized = join(dir, 'optimized.onnx');
    await runModel(q.model, idsFeed(), { optimizedModelFilePath: optimized });
    const ops = (await readOnnxModel(optimized)).graph!.node.map((n) => n.opType);
    expect(ops.filter((o) => o === 'MatMulIntegerToFloat' || o === 'DynamicQuantizeMatMul')).toHaveLength(3);
    expect(ops).not.toContain('MatMulInteger');
  });

  it('works on opsets 11 to 21 with Gemm (transB=1) rewritten to MatMul + Add', async () => {
    for (let opset = 11; opset <= 21; opset++) {
      const mb = new ModelBuilder({ opset });
      const g = mb.graph;
      g.input('x', DataType.FLOAT, ['n', 48]);
      const w = g.floats('W', [40, 48], randomFloats(40 * 48, opset, 0.2));
      const c = g.floats('C', [40], randomFloats(40, opset + 1, 0.2));
      g.node('Gemm', ['x', w, c], ['y'], { name: 'fc', attributes: { transB: 1, alpha: { float: 1 }, beta: { float: 1 } } });
      g.output('y', DataType.FLOAT, ['n', 40]);
      const model = mb.build();
      const q = quantizeModel(model, { mode: 'int8' });
      expect(q.plan.decisions[0]?.action, `opset ${opset}`).toBe('int8-gemm');
      expect(q.model.graph!.node.map((n) => n.opType)).toEqual(['DynamicQuantizeLinear', 'MatMulInteger', 'Cast', 'Mul', 'Mul', 'Add']);
      const feeds: Feeds = { x: { type: 'float32', data: randomFloats(3 * 48, 99), dims: [3, 48] } };
      const [a, b] = [await runModel(model, feeds), await runModel(q.model, feeds)];
      expect(cosine(a.y!, b.y!), `opset ${opset}`).toBeGreaterThan(0.999);
    }
  });

  it.runIf(hasPythonOnnx)('quantizes a model exported by onnx (Python) whose weights are float_data, Gemm alpha folded', async () => {
    const path = join(dir, 'py-gemm.onnx');
    runPython(
      `rng = np.random.default_rng(0)
W = helper.make_tensor("W", TensorProto.FLOAT, [32, 64], (rng.standard_normal(32 * 64) * 0.1).astype(np.float32).tolist())
C = helper.make_tensor("C", TensorProto.FLOAT, [32], (rng.standard_normal(32) * 0.1).astype(np.float32).tolist())
g = helper.make_graph([helper.make_node("Gemm", ["x", "W", "C"], ["h"], transB=1, alpha=0.5, beta=2.0),
                       helper.make_node("Relu", ["h"], ["y"])], "g",
  [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 64])], [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 32])], [W, C])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1])`,
      [path],
    );
    const model = await readOnnxModel(path);
    expect(model.graph!.initializer[0]!.floatData).toBeInstanceOf(Float32Array);
    const q = quantizeModel(model, { mode: 'int8' });
    const feeds: Feeds = { x: { type: 'float32', data: randomFloats(4 * 64, 7), dims: [4, 64] } };
    const [a, b] = [await runModel(model, feeds), await runModel(q.model, feeds)];
    expect(cosine(a.y!, b.y!)).toBeGreaterThan(0.999);
    const out = join(dir, 'py-gemm.int8.onnx');
    (await import('node:fs')).writeFileSync(out, serializeOnnxModel(q.model));
    expect(runPython('m = onnx.load(sys.argv[1]); onnx.checker.check_model(m); print("ok")', [out]).trim()).toBe('ok');
  });

  it('handles opset-9 models with weights in Constant nodes (paddle2onnx style) through contrib ops', async () => {
    const mb = new ModelBuilder({ opset: 9 });
    const g = mb.graph;
    g.input('x', DataType.FLOAT, [1, 8, 16, 16]);
    g.node('Constant', [], ['conv_w'], { attributes: { value: makeTensor('cw', DataType.FLOAT, [16, 8, 3, 3], randomFloats(16 * 8 * 9, 11, 0.2)) } });
    g.node('Conv', ['x', 'conv_w'], ['c'], { name: 'conv', attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } });
    g.node('Reshape', ['c', g.int64s('shape', [2], [16, 256])], ['flat']);
    g.node('Constant', [], ['fc_w'], { attributes: { value: makeTensor('fw', DataType.FLOAT, [256, 12], randomFloats(256 * 12, 12, 0.1)) } });
    g.node('MatMul', ['flat', 'fc_w'], ['y'], { name: 'fc' });
    g.output('y', DataType.FLOAT, [16, 12]);
    const model = mb.build();
    const q = quantizeModel(model, { mode: 'int8' });
    expect(q.plan.decisions.map((d) => d.action)).toEqual(['int8-weights', 'int8-matmul-contrib']);
    const ops = q.model.graph!.node.map((n) => `${n.domain ?? ''}:${n.opType}`);
    expect(ops).toContain('com.microsoft:DynamicQuantizeMatMul');
    expect(ops).not.toContain(':Constant'); // both fp32 constants were replaced
    expect(q.model.opsetImport).toContainEqual({ domain: 'com.microsoft', version: 1 });
    const feeds: Feeds = { x: { type: 'float32', data: randomFloats(8 * 256, 13), dims: [1, 8, 16, 16] } };
    const [a, b] = [await runModel(model, feeds), await runModel(q.model, feeds)];
    expect(cosine(a.y!, b.y!)).toBeGreaterThan(0.999);
  });

  it('leaves excluded nodes and small weights in fp32, and says why', () => {
    const q = quantizeModel(encoderLike(), { mode: 'int8', exclude: new Set(['k']), minElements: 4096 });
    const byNode = new Map(q.plan.decisions.map((d) => [d.node, d]));
    expect(byNode.get('k')).toMatchObject({ action: 'keep', reason: expect.stringContaining('excluded') });
    expect(byNode.get('out_proj')).toMatchObject({ action: 'keep', reason: expect.stringContaining('2048 weights') });
    expect(byNode.get('q')?.action).toBe('int8-matmul');
    expect(q.model.graph!.node.filter((n) => n.opType === 'MatMul').map((n) => n.name)).toEqual(['k', 'out_proj']);
  });

  it('refuses opsets it cannot rewrite with one InputError', () => {
    for (const opset of [5, 30]) {
      expect(() => quantizeModel(encoderLike(opset), { mode: 'int8', source: 'm.onnx' })).toThrow(InputError);
      expect(() => quantizeModel(encoderLike(opset), { mode: 'int8', source: 'm.onnx' })).toThrow(new RegExp(`m\\.onnx uses ai\\.onnx opset ${opset}`));
    }
  });
});

describe('int4 and fp16', () => {
  it('int4 uses MatMulNBits and GatherBlockQuantized, and stays close', async () => {
    const model = encoderLike();
    const q = quantizeModel(model, { mode: 'int4' });
    const ops = q.model.graph!.node.map((n) => n.opType);
    expect(ops.filter((o) => o === 'MatMulNBits')).toHaveLength(3);
    expect(ops).toContain('GatherBlockQuantized');
    const nbits = q.model.graph!.node.find((n) => n.opType === 'MatMulNBits')!;
    expect(Object.fromEntries(nbits.attribute.map((a) => [a.name, a.i]))).toMatchObject({ bits: 4, block_size: 32, accuracy_level: 4, K: 64, N: 64 });
    expect(serializeOnnxModel(q.model).length).toBeLessThan(serializeOnnxModel(model).length / 5);
    const [a, b] = [await runModel(model, idsFeed()), await runModel(q.model, idsFeed())];
    expect(cosine(a.logits!, b.logits!)).toBeGreaterThan(0.98);
  });

  it('int4 with zero points (asymmetric blocks) feeds MatMulNBits its packed zero points', async () => {
    const model = encoderLike();
    const q = quantizeModel(model, { mode: 'int4', int4Asymmetric: true });
    const nbits = q.model.graph!.node.find((n) => n.opType === 'MatMulNBits')!;
    expect(nbits.input).toHaveLength(4);
    const zp = q.model.graph!.initializer.find((t) => t.name === nbits.input[3])!;
    expect(zp.dims).toEqual([64 * Math.ceil(2 / 2)]); // N × ceil(kBlocks·4/8), kBlocks = 64/32
    const [a, b] = [await runModel(model, idsFeed()), await runModel(q.model, idsFeed())];
    expect(cosine(a.logits!, b.logits!)).toBeGreaterThan(0.98);
  });

  it('fp16 halves the weights and keeps fp32 inputs and outputs', async () => {
    const model = encoderLike();
    const q = quantizeModel(model, { mode: 'fp16' });
    const halves = q.model.graph!.initializer.filter((t) => t.dataType === DataType.FLOAT16);
    expect(halves.map((t) => t.name).sort()).toEqual(['embeddings_fp16', 'wk_fp16', 'wo_fp16', 'wq_fp16']);
    expect(q.model.graph!.input).toEqual(model.graph!.input);
    expect(q.model.graph!.output).toEqual(model.graph!.output);
    const [a, b] = [await runModel(model, idsFeed()), await runModel(q.model, idsFeed())];
    expect(cosine(a.logits!, b.logits!)).toBeGreaterThan(0.99999);
  });
});

describe('IR 3 models (weights also listed as graph inputs)', () => {
  it('treats listed initializers as weights and drops the inputs of the ones it replaces', async () => {
    const mb = new ModelBuilder({ opset: 8, irVersion: 3 });
    const g = mb.graph;
    g.input('x', DataType.FLOAT, [1, 4, 8, 8]);
    const w = g.floats('conv_w', [32, 4, 3, 3], randomFloats(32 * 36, 21, 0.2));
    g.input('conv_w', DataType.FLOAT, [32, 4, 3, 3]);
    g.node('Conv', ['x', w], ['y'], { name: 'conv', attributes: { kernel_shape: [3, 3] } });
    g.output('y', DataType.FLOAT, [1, 32, 6, 6]);
    const model = mb.build();
    const q = quantizeModel(model, { mode: 'int8' });
    expect(q.plan.decisions[0]?.action).toBe('int8-weights');
    expect(q.model.graph!.input.map((v) => v.name)).toEqual(['x']);
    const feeds: Feeds = { x: { type: 'float32', data: randomFloats(256, 22), dims: [1, 4, 8, 8] } };
    const [a, b] = [await runModel(model, feeds), await runModel(q.model, feeds)];
    expect(cosine(a.y!, b.y!)).toBeGreaterThan(0.9999);
  });
});
