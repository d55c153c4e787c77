import type { BinaryArch, NativeInfo } from './bundle-index.js';

/**
 * Pure Mach-O decoding: thin files (32/64-bit, either byte order) and fat/universal files (whose
 * slices are listed in `archs`). A fat header shares its magic with Java class files; a real fat
 * file has few slices, a class file a version number ≥ 45 in that place.
 */

const CPU: Record<number, BinaryArch> = {
  7: 'ia32',
  0x01000007: 'x64',
  12: 'arm',
  0x0100000c: 'arm64',
  0x01000012: 'ppc64',
};

const FILE_TYPES: Record<number, NativeInfo['type']> = { 1: 'object', 2: 'executable', 6: 'shared-library', 8: 'shared-library' };

/** Decodes a Mach-O header, or returns undefined when `buf` is not one. */
export function parseMachO(buf: Buffer): NativeInfo | undefined {
  if (buf.length < 8) return undefined;
  const magic = buf.readUInt32BE(0);
  if (magic === 0xcafebabe || magic === 0xcafebabf) return parseFat(buf, magic === 0xcafebabf);
  let le: boolean;
  let bits: 32 | 64;
  if (magic === 0xfeedface) (le = false), (bits = 32);
  else if (magic === 0xfeedfacf) (le = false), (bits = 64);
  else if (magic === 0xcefaedfe) (le = true), (bits = 32);
  else if (magic === 0xcffaedfe) (le = true), (bits = 64);
  else return undefined;
  if (buf.length < 16) return undefined;
  const cpu = le ? buf.readInt32LE(4) : buf.readInt32BE(4);
  const fileType = le ? buf.readUInt32LE(12) : buf.readUInt32BE(12);
  const info: NativeInfo = { format: 'macho', os: 'darwin', arch: CPU[cpu] ?? 'unknown', bits };
  const type = FILE_TYPES[fileType];
  if (type) info.type = type;
  return info;
}

function parseFat(buf: Buffer, fat64: boolean): NativeInfo | undefined {
  const count = buf.readUInt32BE(4);
  if (count === 0 || count >= 45) return undefined; // 45+ is a Java class file's major version
  const size = fat64 ? 32 : 20;
  const archs: BinaryArch[] = [];
  for (let i = 0; i < count && 8 + (i + 1) * size <= buf.length; i++) {
    archs.push(CPU[buf.readInt32BE(8 + i * size)] ?? 'unknown');
  }
  const bits = archs.some((a) => a === 'x64' || a === 'arm64' || a === 'ppc64') ? 64 : 32;
  if (archs.length === 1) return { format: 'macho', os: 'darwin', arch: archs[0] as BinaryArch, bits, archs };
  return { format: 'macho', os: 'darwin', arch: 'universal', bits, archs };
}
