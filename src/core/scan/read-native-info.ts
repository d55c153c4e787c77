import type { NativeInfo } from './bundle-index.js';
import { elfAddressToOffset, libcFromElfNames, parseElfDynamic, parseElfHeader } from './parse-elf.js';
import { parseNativeHeader } from './parse-native-header.js';

/** Reads `[offset, offset + length)` of the file being inspected (shorter at its end). */
export type RangeReader = (offset: number, length: number) => Promise<Buffer>;

/** Bytes of the file start that `parseNativeHeader` and `sniffModel` need. */
export const HEADER_BYTES = 4096;

/** The most bytes read to find an ELF's needed libraries (dynamic section + string table window). */
const DYNAMIC_MAX = 64 * 1024;

/**
 * Identifies a native binary from its header and, for an ELF shared library without an
 * interpreter, reads a few more KB (its dynamic section, then the needed names in its string
 * table) to tell glibc from musl. `read` may be undefined when the content cannot be read at
 * random (a tar.gz); the C library then stays unknown unless the header tells.
 */
export async function readNativeInfo(header: Buffer, read: RangeReader | undefined): Promise<NativeInfo | undefined> {
  const info = parseNativeHeader(header);
  if (!info || info.format !== 'elf' || info.libc || info.os !== 'linux') return info;
  const layout = parseElfHeader(header);
  if (!layout) return info;
  const fetch = async (offset: number, length: number): Promise<Buffer | undefined> => {
    if (offset + length <= header.length) return header.subarray(offset, offset + length);
    return read ? read(offset, length) : undefined;
  };
  let interp: string | undefined;
  if (layout.interp) {
    interp = (await fetch(layout.interp.offset, Math.min(layout.interp.size, 256)))?.toString('latin1').replace(/\0.*$/s, '');
  }
  let needed: string[] = [];
  if (!interp && layout.dynamic && layout.dynamic.size <= DYNAMIC_MAX) {
    const dyn = await fetch(layout.dynamic.offset, layout.dynamic.size);
    const parsed = dyn ? parseElfDynamic(layout, dyn) : { needed: [] };
    const strtab = parsed.strtab === undefined ? undefined : elfAddressToOffset(layout, parsed.strtab);
    if (strtab !== undefined && parsed.needed.length > 0) {
      const lo = Math.min(...parsed.needed);
      const hi = Math.max(...parsed.needed);
      if (hi - lo < DYNAMIC_MAX) {
        const window = await fetch(strtab + lo, hi - lo + 256);
        if (window) {
          needed = parsed.needed.map((off) => {
            const start = off - lo;
            const end = window.indexOf(0, start);
            return window.toString('latin1', start, end === -1 ? window.length : end);
          });
        }
      }
    }
  }
  const libc = libcFromElfNames(interp, needed);
  return libc ? { ...info, libc } : info;
}
