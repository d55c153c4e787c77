import type { BinaryArch, NativeInfo } from './bundle-index.js';

/**
 * Pure PE/COFF decoding (Windows .exe/.dll/.node): the `MZ` stub points (e_lfanew) to the
 * `PE\0\0` signature, followed by the COFF header (machine, characteristics) and the optional
 * header whose magic tells PE32 from PE32+.
 */

const MACHINES: Record<number, BinaryArch> = { 0x8664: 'x64', 0xaa64: 'arm64', 0x14c: 'ia32', 0x1c4: 'arm', 0x1c0: 'arm' };

/** Decodes a PE header, or returns undefined when `buf` is not one (or the PE header lies beyond it). */
export function parsePe(buf: Buffer): NativeInfo | undefined {
  if (buf.length < 0x40 || buf[0] !== 0x4d || buf[1] !== 0x5a) return undefined;
  const pe = buf.readUInt32LE(0x3c);
  if (pe + 26 > buf.length || buf.readUInt32LE(pe) !== 0x00004550) return undefined;
  const machine = buf.readUInt16LE(pe + 4);
  const characteristics = buf.readUInt16LE(pe + 22);
  const optMagic = buf.readUInt16LE(pe + 24);
  const arch = MACHINES[machine] ?? 'unknown';
  const bits = optMagic === 0x20b ? 64 : optMagic === 0x10b ? 32 : arch === 'x64' || arch === 'arm64' ? 64 : 32;
  const info: NativeInfo = { format: 'pe', os: 'win32', arch, bits };
  if (characteristics & 0x2000) info.type = 'shared-library';
  else if (characteristics & 0x0002) info.type = 'executable';
  return info;
}
