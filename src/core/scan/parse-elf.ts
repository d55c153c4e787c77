import type { BinaryArch, NativeInfo } from './bundle-index.js';

/**
 * Pure ELF decoding: the file header, the program headers (PT_LOAD, PT_DYNAMIC, PT_INTERP) and,
 * given its bytes, the dynamic section (DT_NEEDED, DT_STRTAB). Works for 32/64-bit and both byte
 * orders. The C library is told by the interpreter (`ld-musl-*` vs `ld-linux*`) or, for shared
 * libraries that have none, by the libraries they need (`libc.musl-*` vs `libc.so.6`).
 */

/** What the ELF header and program headers say, plus where to read more. */
export interface ElfLayout {
  info: NativeInfo;
  littleEndian: boolean;
  /** PT_LOAD segments, to map virtual addresses (DT_STRTAB) to file offsets. */
  loads: { vaddr: number; offset: number; filesz: number }[];
  /** PT_DYNAMIC, when present. */
  dynamic?: { offset: number; size: number };
  /** PT_INTERP location, when present. */
  interp?: { offset: number; size: number };
}

const MACHINES: Record<number, BinaryArch> = {
  3: 'ia32',
  40: 'arm',
  62: 'x64',
  183: 'arm64',
  21: 'ppc64',
  22: 's390x',
  243: 'riscv64',
};

/** True when the buffer starts with the ELF magic. */
export function isElf(buf: Buffer): boolean {
  return buf.length >= 4 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

/** Decodes the ELF header and whatever program headers lie inside `buf`. */
export function parseElfHeader(buf: Buffer): ElfLayout | undefined {
  if (!isElf(buf) || buf.length < 52) return undefined;
  const bits = buf[4] === 2 ? 64 : buf[4] === 1 ? 32 : 0;
  const le = buf[5] === 1;
  if (bits === 0 || (buf[5] !== 1 && buf[5] !== 2)) return undefined;
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u64 = (o: number) => Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o));
  const osabi = buf[7] as number;
  const eType = u16(16);
  const machine = u16(18);
  let arch: BinaryArch = MACHINES[machine] ?? 'unknown';
  if (arch === 'riscv64' && bits === 32) arch = 'unknown';
  if (arch === 'ppc64' && bits === 32) arch = 'unknown';
  const layout: ElfLayout = {
    info: { format: 'elf', os: osabi === 0 || osabi === 3 ? 'linux' : 'unknown', arch, bits: bits as 32 | 64 },
    littleEndian: le,
    loads: [],
  };
  const phoff = bits === 64 ? u64(32) : u32(28);
  const phentsize = u16(bits === 64 ? 54 : 42);
  const phnum = u16(bits === 64 ? 56 : 44);
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (p + (bits === 64 ? 56 : 32) > buf.length) break;
    const type = u32(p);
    const offset = bits === 64 ? u64(p + 8) : u32(p + 4);
    const vaddr = bits === 64 ? u64(p + 16) : u32(p + 8);
    const filesz = bits === 64 ? u64(p + 32) : u32(p + 16);
    if (type === 1) layout.loads.push({ vaddr, offset, filesz });
    else if (type === 2) layout.dynamic = { offset, size: filesz };
    else if (type === 3) layout.interp = { offset, size: filesz };
  }
  layout.info.type = eType === 1 ? 'object' : eType === 2 ? 'executable' : eType === 3 ? (layout.interp ? 'executable' : 'shared-library') : undefined;
  if (layout.info.type === undefined) delete layout.info.type;
  return layout;
}

/** Maps a virtual address to a file offset through the PT_LOAD segments. */
export function elfAddressToOffset(layout: ElfLayout, vaddr: number): number | undefined {
  for (const l of layout.loads) if (vaddr >= l.vaddr && vaddr < l.vaddr + l.filesz) return vaddr - l.vaddr + l.offset;
  return undefined;
}

/** Decodes the dynamic section: string-table offsets of DT_NEEDED entries and DT_STRTAB's address. */
export function parseElfDynamic(layout: ElfLayout, dyn: Buffer): { needed: number[]; strtab?: number } {
  const le = layout.littleEndian;
  const is64 = layout.info.bits === 64;
  const size = is64 ? 16 : 8;
  const needed: number[] = [];
  let strtab: number | undefined;
  for (let p = 0; p + size <= dyn.length; p += size) {
    const tag = is64 ? Number(le ? dyn.readBigInt64LE(p) : dyn.readBigInt64BE(p)) : le ? dyn.readInt32LE(p) : dyn.readInt32BE(p);
    const val = is64 ? Number(le ? dyn.readBigUInt64LE(p + 8) : dyn.readBigUInt64BE(p + 8)) : le ? dyn.readUInt32LE(p + 4) : dyn.readUInt32BE(p + 4);
    if (tag === 0) break;
    if (tag === 1) needed.push(val);
    else if (tag === 5) strtab = val;
  }
  return strtab === undefined ? { needed } : { needed, strtab };
}

/** Which C library an interpreter path or a list of needed libraries points to. */
export function libcFromElfNames(interp: string | undefined, needed: readonly string[]): 'glibc' | 'musl' | undefined {
  if (interp?.includes('ld-musl')) return 'musl';
  if (interp && /ld-linux|ld64\.so|ld\.so/.test(interp)) return 'glibc';
  if (needed.some((n) => n.startsWith('libc.musl') || n.startsWith('ld-musl'))) return 'musl';
  if (needed.some((n) => n === 'libc.so.6' || n.startsWith('ld-linux'))) return 'glibc';
  return undefined;
}
