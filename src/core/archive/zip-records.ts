import {
  centralExtraBytes,
  centralHeaderBytes,
  centralZip64Fields,
  EOCD64_BYTES,
  EOCD64_LOCATOR_BYTES,
  EOCD_BYTES,
  endRecordsBytes,
  localHeaderBytes,
  needsLocalZip64,
  needsZip64End,
  ZIP16_MAX,
  ZIP32_MAX,
} from './zip-layout.js';

/**
 * Encoders for the records of lambdafit zips. Pure: each returns a Buffer whose length is exactly
 * what `zip-layout.ts` says, so the writer and the size predictor cannot drift apart.
 */

/** Compression method numbers used in lambdafit zips. */
export const METHOD_STORED = 0;
/** Deflate (RFC 1951). */
export const METHOD_DEFLATED = 8;

/** Version made by: Unix (3) host, APPNOTE 4.5, so readers honour the Unix modes. */
const VERSION_MADE_BY = (3 << 8) | 45;
const FLAG_UTF8 = 0x0800;

/** The facts of one entry that its local and central headers record. */
export interface ZipRecord {
  /** Entry name (directories end with `/`). */
  name: string;
  /** `METHOD_STORED` or `METHOD_DEFLATED`. */
  method: number;
  /** CRC-32 of the uncompressed data. */
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** MS-DOS time and date fields. */
  dosTime: number;
  dosDate: number;
  /** Unix mode including the file type bits (e.g. 0o100644), stored in the high 16 bits. */
  unixMode: number;
}

/** MS-DOS date/time of a moment, in UTC, clamped to the format's 1980–2107 range, 2 s steps. */
export function dosDateTime(when: Date): { dosTime: number; dosDate: number } {
  let year = when.getUTCFullYear();
  let d = when;
  if (year < 1980) d = new Date(Date.UTC(1980, 0, 1));
  else if (year > 2107) d = new Date(Date.UTC(2107, 11, 31, 23, 59, 58));
  year = d.getUTCFullYear();
  const dosDate = ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  const dosTime = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
  return { dosTime, dosDate };
}

function versionNeeded(zip64: boolean): number {
  return zip64 ? 45 : 20;
}

function flagsFor(name: string): number {
  // Bit 11 tells readers the name is UTF-8; pure ASCII names do not need it.
  return /^[\x20-\x7e]*$/.test(name) ? 0 : FLAG_UTF8;
}

/** Encodes a local file header (with its zip64 extra when the size needs it). */
export function encodeLocalHeader(r: ZipRecord): Buffer {
  const name = Buffer.from(r.name, 'utf8');
  const zip64 = needsLocalZip64(r.uncompressedSize);
  const buf = Buffer.alloc(localHeaderBytes(name.length, r.uncompressedSize));
  buf.writeUInt32LE(0x04034b50, 0);
  buf.writeUInt16LE(versionNeeded(zip64), 4);
  buf.writeUInt16LE(flagsFor(r.name), 6);
  buf.writeUInt16LE(r.method, 8);
  buf.writeUInt16LE(r.dosTime, 10);
  buf.writeUInt16LE(r.dosDate, 12);
  buf.writeUInt32LE(r.crc32 >>> 0, 14);
  buf.writeUInt32LE(zip64 ? ZIP32_MAX : r.compressedSize, 18);
  buf.writeUInt32LE(zip64 ? ZIP32_MAX : r.uncompressedSize, 22);
  buf.writeUInt16LE(name.length, 26);
  buf.writeUInt16LE(zip64 ? 20 : 0, 28);
  name.copy(buf, 30);
  if (zip64) {
    const x = 30 + name.length;
    buf.writeUInt16LE(0x0001, x);
    buf.writeUInt16LE(16, x + 2);
    buf.writeBigUInt64LE(BigInt(r.uncompressedSize), x + 4);
    buf.writeBigUInt64LE(BigInt(r.compressedSize), x + 12);
  }
  return buf;
}

/** Encodes a central directory header for an entry whose local header is at `offset`. */
export function encodeCentralHeader(r: ZipRecord, offset: number): Buffer {
  const name = Buffer.from(r.name, 'utf8');
  const f = centralZip64Fields(r.uncompressedSize, r.compressedSize, offset);
  const extra = centralExtraBytes(r.uncompressedSize, r.compressedSize, offset);
  const zip64 = extra > 0 || needsLocalZip64(r.uncompressedSize);
  const buf = Buffer.alloc(centralHeaderBytes(name.length, r.uncompressedSize, r.compressedSize, offset));
  buf.writeUInt32LE(0x02014b50, 0);
  buf.writeUInt16LE(VERSION_MADE_BY, 4);
  buf.writeUInt16LE(versionNeeded(zip64), 6);
  buf.writeUInt16LE(flagsFor(r.name), 8);
  buf.writeUInt16LE(r.method, 10);
  buf.writeUInt16LE(r.dosTime, 12);
  buf.writeUInt16LE(r.dosDate, 14);
  buf.writeUInt32LE(r.crc32 >>> 0, 16);
  buf.writeUInt32LE(f.compressed ? ZIP32_MAX : r.compressedSize, 20);
  buf.writeUInt32LE(f.uncompressed ? ZIP32_MAX : r.uncompressedSize, 24);
  buf.writeUInt16LE(name.length, 28);
  buf.writeUInt16LE(extra, 30);
  // comment length, disk number start, internal attributes: all 0
  buf.writeUInt32LE((((r.unixMode & 0xffff) << 16) | (r.name.endsWith('/') ? 0x10 : 0)) >>> 0, 38);
  buf.writeUInt32LE(f.offset ? ZIP32_MAX : offset, 42);
  name.copy(buf, 46);
  if (extra > 0) {
    let x = 46 + name.length;
    buf.writeUInt16LE(0x0001, x);
    buf.writeUInt16LE(extra - 4, x + 2);
    x += 4;
    if (f.uncompressed) (buf.writeBigUInt64LE(BigInt(r.uncompressedSize), x), (x += 8));
    if (f.compressed) (buf.writeBigUInt64LE(BigInt(r.compressedSize), x), (x += 8));
    if (f.offset) buf.writeBigUInt64LE(BigInt(offset), x);
  }
  return buf;
}

/** Encodes the end records: zip64 end record + locator when needed, then the classic EOCD. */
export function encodeEndRecords(entryCount: number, centralDirectoryOffset: number, centralDirectorySize: number): Buffer {
  const buf = Buffer.alloc(endRecordsBytes(entryCount, centralDirectoryOffset, centralDirectorySize));
  let x = 0;
  if (needsZip64End(entryCount, centralDirectoryOffset, centralDirectorySize)) {
    const eocd64Offset = centralDirectoryOffset + centralDirectorySize;
    buf.writeUInt32LE(0x06064b50, 0);
    buf.writeBigUInt64LE(BigInt(EOCD64_BYTES - 12), 4);
    buf.writeUInt16LE(VERSION_MADE_BY, 12);
    buf.writeUInt16LE(45, 14);
    // disk numbers (16, 20): 0
    buf.writeBigUInt64LE(BigInt(entryCount), 24);
    buf.writeBigUInt64LE(BigInt(entryCount), 32);
    buf.writeBigUInt64LE(BigInt(centralDirectorySize), 40);
    buf.writeBigUInt64LE(BigInt(centralDirectoryOffset), 48);
    x = EOCD64_BYTES;
    buf.writeUInt32LE(0x07064b50, x);
    buf.writeBigUInt64LE(BigInt(eocd64Offset), x + 8);
    buf.writeUInt32LE(1, x + 16);
    x += EOCD64_LOCATOR_BYTES;
  }
  const count16 = entryCount >= ZIP16_MAX ? ZIP16_MAX : entryCount;
  buf.writeUInt32LE(0x06054b50, x);
  buf.writeUInt16LE(count16, x + 8);
  buf.writeUInt16LE(count16, x + 10);
  buf.writeUInt32LE(centralDirectorySize >= ZIP32_MAX ? ZIP32_MAX : centralDirectorySize, x + 12);
  buf.writeUInt32LE(centralDirectoryOffset >= ZIP32_MAX ? ZIP32_MAX : centralDirectoryOffset, x + 16);
  if (x + EOCD_BYTES !== buf.length) throw new Error('zip end records: layout mismatch');
  return buf;
}
