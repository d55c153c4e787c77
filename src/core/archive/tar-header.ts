import { InputError } from '../errors.js';

/**
 * Pure decoding of tar headers: POSIX ustar (name + prefix), GNU (base-256 numbers, `L`/`K`
 * long names) and pax extended headers (`x` records: path, linkpath, size).
 */

/** One decoded 512-byte tar header. */
export interface TarHeader {
  /** Name from the header (ustar prefix joined), before any long-name override. */
  name: string;
  mode: number;
  size: number;
  /** Type flag character: '0' file, '5' dir, '2' symlink, '1' hard link, 'x' pax, 'L' GNU long name… */
  type: string;
  linkName: string;
}

function corrupt(container: string, what: string): InputError {
  return new InputError(`${container}: ${what}, so the tar.gz is corrupt; re-create it (for example with \`tar czf\`).`, 'E_CORRUPT_ARCHIVE');
}

function cString(buf: Buffer, start: number, end: number): string {
  const nul = buf.indexOf(0, start);
  return buf.toString('utf8', start, nul === -1 || nul > end ? end : nul);
}

/** Decodes a numeric field: octal ASCII, or GNU base-256 when the high bit of the first byte is set. */
export function parseTarNumber(buf: Buffer, start: number, length: number): number {
  const first = buf[start] as number;
  if (first & 0x80) {
    // Base-256, big-endian, two's complement; the first byte keeps 7 value bits.
    let v = first & 0x7f;
    if (first & 0x40) v -= 0x80; // negative (only in times; treat like any other value)
    for (let i = 1; i < length; i++) v = v * 256 + (buf[start + i] as number);
    return v;
  }
  const text = buf.toString('latin1', start, start + length).replace(/[\0 ].*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return NaN;
  return parseInt(text, 8);
}

/** True when the 512-byte block is all zeros (end-of-archive marker). */
export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < 512; i++) if (block[i] !== 0) return false;
  return true;
}

/** Decodes a non-zero 512-byte header block, verifying its checksum. */
export function parseTarHeader(container: string, block: Buffer): TarHeader {
  const stored = parseTarNumber(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored !== unsigned && stored !== signed) throw corrupt(container, 'a tar header fails its checksum');
  const magic = block.toString('latin1', 257, 263);
  let name = cString(block, 0, 100);
  // ustar keeps a 155-byte prefix; the GNU format ("ustar  ") uses that area for other fields.
  if (magic === 'ustar\0') {
    const prefix = cString(block, 345, 500);
    if (prefix) name = `${prefix}/${name}`;
  }
  const size = parseTarNumber(block, 124, 12);
  const mode = parseTarNumber(block, 100, 8);
  if (!Number.isFinite(size) || size < 0 || !Number.isFinite(mode)) throw corrupt(container, `the header of "${name}" has an unreadable size or mode`);
  const typeByte = block[156] as number;
  return {
    name,
    mode: mode & 0o7777,
    size,
    type: typeByte === 0 ? '0' : String.fromCharCode(typeByte),
    linkName: cString(block, 157, 257),
  };
}

/** Decodes pax extended header records (`"<len> <key>=<value>\n"`). */
export function parsePaxRecords(container: string, data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let p = 0;
  while (p < data.length) {
    if (data[p] === 0) break;
    const space = data.indexOf(0x20, p);
    const len = space === -1 ? NaN : Number(data.toString('latin1', p, space));
    if (!Number.isInteger(len) || len <= 0 || p + len > data.length) throw corrupt(container, 'a pax extended header is malformed');
    const record = data.toString('utf8', space + 1, p + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    p += len;
  }
  return out;
}
