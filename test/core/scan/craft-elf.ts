/** Builds a minimal but well-formed ELF file for header-parser tests. */
export function craftElf(opts: {
  bits: 32 | 64;
  littleEndian: boolean;
  machine: number;
  type: number;
  interp?: string;
  needed?: string[];
  /** Pad the file so the dynamic section lies beyond the first `padTo` bytes. */
  padTo?: number;
}): Buffer {
  const is64 = opts.bits === 64;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const phnum = 1 + (opts.interp ? 1 : 0) + (opts.needed ? 1 : 0);
  const buf = Buffer.alloc(Math.max(opts.padTo ?? 0, 0) + 8192);
  const le = opts.littleEndian;
  const w16 = (v: number, o: number) => (le ? buf.writeUInt16LE(v, o) : buf.writeUInt16BE(v, o));
  const w32 = (v: number, o: number) => (le ? buf.writeUInt32LE(v, o) : buf.writeUInt32BE(v, o));
  const wWord = (v: number, o: number) => (is64 ? (le ? buf.writeBigUInt64LE(BigInt(v), o) : buf.writeBigUInt64BE(BigInt(v), o)) : w32(v, o));
  buf.write('\x7fELF', 0, 'latin1');
  buf[4] = is64 ? 2 : 1;
  buf[5] = le ? 1 : 2;
  buf[6] = 1;
  w16(opts.type, 16);
  w16(opts.machine, 18);
  w32(1, 20);
  wWord(ehsize, is64 ? 32 : 28); // e_phoff
  w16(ehsize, is64 ? 52 : 40);
  w16(phentsize, is64 ? 54 : 42);
  w16(phnum, is64 ? 56 : 44);
  let strOff = ehsize + phnum * phentsize;
  const strtab = strOff;
  const names: number[] = [];
  let cursor = strtab + 1;
  for (const s of [opts.interp ?? '', ...(opts.needed ?? [])]) {
    names.push(cursor - strtab);
    buf.write(s + '\0', cursor, 'latin1');
    cursor += s.length + 1;
  }
  strOff = cursor;
  const dynOff = Math.max(opts.padTo ?? 0, (cursor + 15) & ~15);
  const dynEnt = is64 ? 16 : 8;
  const dynEntries: [number, number][] = [...(opts.needed ?? []).map((_, i) => [1, names[i + 1] as number] as [number, number]), [5, strtab], [0, 0]];
  dynEntries.forEach(([tag, val], i) => {
    wWord(tag, dynOff + i * dynEnt);
    wWord(val, dynOff + i * dynEnt + dynEnt / 2);
  });
  const total = dynOff + dynEntries.length * dynEnt;
  const ph = (i: number, type: number, offset: number, size: number) => {
    const p = ehsize + i * phentsize;
    w32(type, p);
    if (is64) {
      wWord(offset, p + 8);
      wWord(offset, p + 16);
      wWord(size, p + 32);
      wWord(size, p + 40);
    } else {
      w32(offset, p + 4);
      w32(offset, p + 8);
      w32(size, p + 16);
      w32(size, p + 20);
    }
  };
  let i = 0;
  ph(i++, 1, 0, total);
  if (opts.interp) ph(i++, 3, strtab + (names[0] as number), opts.interp.length + 1);
  if (opts.needed) ph(i++, 2, dynOff, dynEntries.length * dynEnt);
  void strOff;
  return buf.subarray(0, total);
}
