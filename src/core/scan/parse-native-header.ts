import type { NativeInfo } from './bundle-index.js';
import { libcFromElfNames, parseElfHeader } from './parse-elf.js';
import { parseMachO } from './parse-macho.js';
import { parsePe } from './parse-pe.js';

/**
 * Identifies a native binary from its first bytes (ELF, Mach-O thin or fat, PE), never from its
 * name. For ELF, the C library is filled in when PT_INTERP lies inside `header`; shared libraries
 * need their dynamic section for that (see `readNativeInfo`). Pure; undefined for anything else.
 */
export function parseNativeHeader(header: Buffer): NativeInfo | undefined {
  const elf = parseElfHeader(header);
  if (elf) {
    if (elf.interp && elf.interp.offset + elf.interp.size <= header.length) {
      const interp = header.toString('latin1', elf.interp.offset, elf.interp.offset + elf.interp.size).replace(/\0.*$/s, '');
      const libc = libcFromElfNames(interp, []);
      if (libc) elf.info.libc = libc;
    }
    return elf.info;
  }
  return parseMachO(header) ?? parsePe(header);
}
