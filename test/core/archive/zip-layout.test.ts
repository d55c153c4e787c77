import { describe, expect, it } from 'vitest';
import {
  centralHeaderBytes,
  compareZipNames,
  endRecordsBytes,
  localHeaderBytes,
  planZipLayout,
  ZIP32_MAX,
} from '../../../src/core/archive/zip-layout.js';
import { encodeCentralHeader, encodeEndRecords, encodeLocalHeader, type ZipRecord } from '../../../src/core/archive/zip-records.js';

const rec = (name: string, usize: number, csize: number): ZipRecord => ({
  name,
  method: 8,
  crc32: 0x12345678,
  compressedSize: csize,
  uncompressedSize: usize,
  dosTime: 0,
  dosDate: 0x21,
  unixMode: 0o100644,
});

describe('zip layout arithmetic', () => {
  it('sizes plain headers as 30/46 bytes plus the name, and the end record as 22', () => {
    expect(localHeaderBytes(5, 100)).toBe(35);
    expect(centralHeaderBytes(5, 100, 50, 0)).toBe(51);
    expect(endRecordsBytes(3, 1000, 200)).toBe(22);
  });

  it('adds zip64 extras exactly when a field overflows 32 bits', () => {
    expect(localHeaderBytes(1, ZIP32_MAX - 1)).toBe(31);
    expect(localHeaderBytes(1, ZIP32_MAX)).toBe(31 + 20);
    expect(centralHeaderBytes(1, 10, 10, ZIP32_MAX)).toBe(47 + 12);
    expect(centralHeaderBytes(1, ZIP32_MAX + 5, ZIP32_MAX + 1, ZIP32_MAX)).toBe(47 + 28);
    expect(endRecordsBytes(65535, 0, 0)).toBe(22 + 56 + 20);
    expect(endRecordsBytes(65534, 0, 0)).toBe(22);
  });

  it('matches the byte length of every encoded record', () => {
    for (const [usize, csize, offset] of [
      [0, 0, 0],
      [10, 5, 123],
      [ZIP32_MAX + 10, 100, 5],
      [ZIP32_MAX + 10, ZIP32_MAX + 2, ZIP32_MAX + 7],
      [100, 50, ZIP32_MAX],
    ] as const) {
      const r = rec('dir/ünïcode.bin', usize, csize);
      const n = Buffer.byteLength(r.name);
      expect(encodeLocalHeader(r).length).toBe(localHeaderBytes(n, usize));
      expect(encodeCentralHeader(r, offset).length).toBe(centralHeaderBytes(n, usize, csize, offset));
    }
    expect(encodeEndRecords(70000, 10, 10).length).toBe(endRecordsBytes(70000, 10, 10));
  });

  it('plans offsets cumulatively and totals local + central + end', () => {
    const plan = planZipLayout([
      { name: 'a/', uncompressedSize: 0, compressedSize: 0 },
      { name: 'a/b.txt', uncompressedSize: 100, compressedSize: 40 },
    ]);
    expect(plan.slots.map((s) => s.offset)).toEqual([0, 32]);
    expect(plan.centralDirectoryOffset).toBe(32 + 37 + 40);
    expect(plan.centralDirectorySize).toBe(48 + 53);
    expect(plan.totalBytes).toBe(32 + 77 + 101 + 22);
  });

  it('orders names by UTF-8 bytes, not UTF-16 code units', () => {
    const names = ['b', 'a/', 'a-b', '\u{1F600}', '\uFF21', 'A'];
    const sorted = [...names].sort(compareZipNames);
    const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(sorted).toEqual(byBytes);
    expect(sorted.indexOf('\uFF21')).toBeLessThan(sorted.indexOf('\u{1F600}'));
  });
});
