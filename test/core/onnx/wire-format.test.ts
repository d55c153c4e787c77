import { describe, expect, it } from 'vitest';
import { WireError, WireReader } from '../../../src/core/onnx/wire-reader.js';
import { varintSize, WireWriter } from '../../../src/core/onnx/wire-writer.js';

function encode(write: (w: WireWriter) => void): Buffer {
  const w = new WireWriter();
  write(w);
  const out = Buffer.concat(w.finish());
  expect(out.length).toBe(w.length);
  return out;
}

describe('varints', () => {
  const cases: Array<[number, string]> = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [2 ** 31, '8080808008'],
    [2 ** 32, '808080801' + '0'],
    [2 ** 53 - 1, 'ffffffffffffff0f'],
    [-1, 'ffffffffffffffffff01'],
    [-2, 'feffffffffffffffff01'],
  ];
  it.each(cases)('%d encodes like protobuf and decodes back', (n, hex) => {
    const bytes = encode((w) => w.varint(n));
    expect(bytes.toString('hex')).toBe(hex);
    expect(varintSize(n)).toBe(bytes.length);
    expect(new WireReader(bytes).varint()).toBe(n);
  });

  it('keeps the INT64_MAX and INT64_MIN sentinels exact through a decode/encode cycle', () => {
    const max = Buffer.from('ffffffffffffffff7f', 'hex'); // 2^63-1, e.g. Slice "to the end"
    const min = Buffer.from('80808080808080808001', 'hex');
    for (const bytes of [max, min]) {
      const n = new WireReader(bytes).varint();
      const again = encode((w) => w.varint(n));
      expect(again.toString('hex')).toBe(bytes.toString('hex'));
      expect(varintSize(n)).toBe(bytes.length);
    }
  });

  it('reads unsigned 64-bit values on request', () => {
    const bytes = Buffer.from('ffffffffffffffffff01', 'hex');
    expect(new WireReader(bytes).varint(true)).toBe(2 ** 64 - 1);
  });

  it('rejects truncated varints and lengths that run past the end', () => {
    expect(() => new WireReader(Buffer.from('80', 'hex')).varint()).toThrow(WireError);
    expect(() => new WireReader(Buffer.from('0a05abcd', 'hex'), 1).lengthDelimited()).toThrow(/past the end/);
    expect(() => new WireReader(Buffer.from('ffffffffffffffffffff01', 'hex')).varint()).toThrow(/longer than 10 bytes/);
  });
});

describe('WireWriter', () => {
  it('references large byte ranges instead of copying them', () => {
    const big = Buffer.alloc(100_000, 7);
    const w = new WireWriter();
    w.tag(9, 2);
    w.varint(big.length);
    w.bytes(big);
    w.string('héllo', Buffer.byteLength('héllo'));
    const chunks = w.finish();
    expect(chunks.some((c) => c === big)).toBe(true);
    const all = Buffer.concat(chunks);
    expect(all.length).toBe(w.length);
    expect(all.subarray(all.length - 6).toString('utf8')).toBe('héllo');
  });

  it('writes floats and doubles little-endian', () => {
    const bytes = encode((w) => {
      w.float(1.5);
      w.double(-2.25);
    });
    expect(bytes.readFloatLE(0)).toBe(1.5);
    expect(bytes.readDoubleLE(4)).toBe(-2.25);
  });
});
