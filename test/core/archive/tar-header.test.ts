import { describe, expect, it } from 'vitest';
import { parsePaxRecords, parseTarHeader, parseTarNumber } from '../../../src/core/archive/tar-header.js';

function header(fields: { name: string; size: number; type?: string; prefix?: string }): Buffer {
  const b = Buffer.alloc(512);
  b.write(fields.name, 0);
  b.write('0000644\0', 100);
  b.write(fields.size.toString(8).padStart(11, '0') + '\0', 124);
  b.write((fields.type ?? '0'), 156);
  b.write('ustar\0', 257);
  b.write('00', 263);
  if (fields.prefix) b.write(fields.prefix, 345);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return b;
}

describe('tar header decoding', () => {
  it('joins the ustar prefix and reads octal fields', () => {
    const h = parseTarHeader('t.tgz', header({ name: 'file.js', size: 1234, prefix: 'deep/dir' }));
    expect(h).toMatchObject({ name: 'deep/dir/file.js', size: 1234, mode: 0o644, type: '0' });
  });

  it('rejects a header with a bad checksum', () => {
    const b = header({ name: 'x', size: 1 });
    b[0] = 0x79;
    expect(() => parseTarHeader('t.tgz', b)).toThrow(expect.objectContaining({ code: 'E_CORRUPT_ARCHIVE' }));
  });

  it('reads GNU base-256 numbers (files over 8 GiB)', () => {
    const b = Buffer.alloc(12);
    b[0] = 0x80;
    b.writeUIntBE(10 * 1024 ** 3, 6, 6);
    expect(parseTarNumber(b, 0, 12)).toBe(10 * 1024 ** 3);
  });

  it('parses pax records, including UTF-8 values and embedded newlines counted by length', () => {
    const rec = (k: string, v: string) => {
      const body = ` ${k}=${v}\n`;
      let len = Buffer.byteLength(body) + 1;
      len = Buffer.byteLength(body) + String(len).length;
      return `${len}${body}`;
    };
    const data = Buffer.from(rec('path', 'très/long/' + 'x'.repeat(150)) + rec('linkpath', 'target'));
    const r = parsePaxRecords('t.tgz', data);
    expect(r.path).toBe('très/long/' + 'x'.repeat(150));
    expect(r.linkpath).toBe('target');
  });
});
