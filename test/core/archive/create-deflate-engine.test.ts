import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createDeflateEngine } from '../../../src/core/archive/create-deflate-engine.js';
import { makeTempDir, python } from './test-helpers.js';

const engine = createDeflateEngine();
const binary = readFileSync('node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime_binding.node');

function stockViaFile(data: Buffer): number {
  const { dir, cleanup } = makeTempDir('lf-deflate-');
  try {
    const path = join(dir, 'input.bin');
    writeFileSync(path, data);
    return Number(python('import sys,zlib;d=open(sys.argv[1],"rb").read();c=zlib.compressobj(6,8,-15,8);print(len(c.compress(d)+c.flush()))', path).trim());
  } finally {
    cleanup();
  }
}

describe('createDeflateEngine', () => {
  it('round-trips text, binary, random, empty and highly repetitive input through inflate', () => {
    const inputs = [
      Buffer.alloc(0),
      Buffer.from('a'),
      Buffer.from('hello hello hello hello world '.repeat(5000)),
      randomBytes(200_000),
      Buffer.alloc(3_000_000, 7),
      binary,
    ];
    for (const input of inputs) {
      const out = engine.compress(null, input, true);
      expect(Buffer.compare(inflateRawSync(out), input)).toBe(0);
    }
  });

  it('compresses a native binary as well as stock zlib level 6 (within 0.2 %)', () => {
    const ours = engine.compress(null, binary, true).length;
    const stock = stockViaFile(binary);
    expect(Math.abs(ours - stock) / stock).toBeLessThan(0.002);
  });

  it('joins independently compressed pieces (with a 32 KiB dictionary) into one valid stream', () => {
    const data = Buffer.concat([binary, binary.subarray(0, 100_000)]);
    const piece = 65536;
    const parts: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += piece) {
      const end = Math.min(at + piece, data.length);
      parts.push(engine.compress(at === 0 ? null : data.subarray(at - 32768, at), data.subarray(at, end), end === data.length));
    }
    const joined = Buffer.concat(parts);
    expect(Buffer.compare(inflateRawSync(joined), data)).toBe(0);
    // Priming with the dictionary keeps the cost of splitting small.
    expect(joined.length).toBeLessThan(engine.compress(null, data, true).length * 1.02);
  });

  it('is deterministic', () => {
    const a = engine.compress(null, binary, true);
    const b = createDeflateEngine().compress(null, binary, true);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
  });
});
