/**
 * The byte arithmetic of the zips lambdafit writes, in one place: the writer lays records out with
 * these functions and the size predictor adds them up, so a prediction is exact to the byte.
 *
 * Layout rules (APPNOTE 6.3.10): local header 30 B + name (+ a 20 B zip64 extra when the
 * uncompressed size needs 64 bits, which forces both sizes into the extra); central header 46 B +
 * name (+ a zip64 extra holding exactly the fields that overflow); end record 22 B, preceded by a
 * 56 B zip64 end record and a 20 B locator when the entry count or the central directory's size or
 * offset overflow. No other extra fields and no comments are ever written.
 */

/** Size of the fixed part of a local file header. */
export const LOCAL_HEADER_BYTES = 30;
/** Size of the fixed part of a central directory header. */
export const CENTRAL_HEADER_BYTES = 46;
/** Size of the end-of-central-directory record (without comment). */
export const EOCD_BYTES = 22;
/** Size of the zip64 end-of-central-directory record (without extensible data). */
export const EOCD64_BYTES = 56;
/** Size of the zip64 end-of-central-directory locator. */
export const EOCD64_LOCATOR_BYTES = 20;
/** Values at or above this do not fit a 32-bit field; the field then holds 0xFFFFFFFF. */
export const ZIP32_MAX = 0xffffffff;
/** Entry counts at or above this do not fit the 16-bit EOCD fields. */
export const ZIP16_MAX = 0xffff;

/** One entry as the layout sees it. */
export interface ZipLayoutEntry {
  /** Entry name as written: POSIX path, directories with a trailing `/`. */
  name: string;
  /** Bytes of the entry's data before compression (0 for directories). */
  uncompressedSize: number;
  /** Bytes of the entry's data as stored in the zip. */
  compressedSize: number;
}

/** Where one entry landed in a planned zip. */
export interface ZipLayoutSlot {
  /** Offset of the entry's local header. */
  offset: number;
  /** Bytes of local header + data. */
  localBytes: number;
  /** Bytes of its central directory header. */
  centralBytes: number;
}

/** A whole planned zip: where everything goes and how big it is. */
export interface ZipLayout {
  slots: ZipLayoutSlot[];
  /** Offset of the central directory. */
  centralDirectoryOffset: number;
  /** Bytes of the central directory. */
  centralDirectorySize: number;
  /** Bytes of the end records (22, or 98 with zip64 records). */
  endBytes: number;
  /** Whether zip64 end records are needed. */
  zip64End: boolean;
  /** Total size of the zip file. */
  totalBytes: number;
}

/** UTF-8 byte length of an entry name (the zip stores names as UTF-8 bytes). */
export function nameBytes(name: string): number {
  return Buffer.byteLength(name, 'utf8');
}

/** Whether the local header carries a zip64 extra (20 B): only when the uncompressed size overflows. */
export function needsLocalZip64(uncompressedSize: number): boolean {
  return uncompressedSize >= ZIP32_MAX;
}

/** Bytes of the local header's extra field for an entry. */
export function localExtraBytes(uncompressedSize: number): number {
  return needsLocalZip64(uncompressedSize) ? 4 + 16 : 0;
}

/** Bytes of a local header (fixed part + name + extra). */
export function localHeaderBytes(nameLength: number, uncompressedSize: number): number {
  return LOCAL_HEADER_BYTES + nameLength + localExtraBytes(uncompressedSize);
}

/** Which fields of a central header overflow into its zip64 extra, in APPNOTE order. */
export function centralZip64Fields(uncompressedSize: number, compressedSize: number, offset: number): {
  uncompressed: boolean;
  compressed: boolean;
  offset: boolean;
} {
  return {
    uncompressed: uncompressedSize >= ZIP32_MAX,
    compressed: compressedSize >= ZIP32_MAX,
    offset: offset >= ZIP32_MAX,
  };
}

/** Bytes of the central header's extra field for an entry. */
export function centralExtraBytes(uncompressedSize: number, compressedSize: number, offset: number): number {
  const f = centralZip64Fields(uncompressedSize, compressedSize, offset);
  const n = (f.uncompressed ? 8 : 0) + (f.compressed ? 8 : 0) + (f.offset ? 8 : 0);
  return n === 0 ? 0 : 4 + n;
}

/** Bytes of a central directory header (fixed part + name + extra). */
export function centralHeaderBytes(nameLength: number, uncompressedSize: number, compressedSize: number, offset: number): number {
  return CENTRAL_HEADER_BYTES + nameLength + centralExtraBytes(uncompressedSize, compressedSize, offset);
}

/** Whether the end of the zip needs zip64 records. */
export function needsZip64End(entryCount: number, centralDirectoryOffset: number, centralDirectorySize: number): boolean {
  return entryCount >= ZIP16_MAX || centralDirectoryOffset >= ZIP32_MAX || centralDirectorySize >= ZIP32_MAX;
}

/** Bytes of the end records. */
export function endRecordsBytes(entryCount: number, centralDirectoryOffset: number, centralDirectorySize: number): number {
  return needsZip64End(entryCount, centralDirectoryOffset, centralDirectorySize)
    ? EOCD64_BYTES + EOCD64_LOCATOR_BYTES + EOCD_BYTES
    : EOCD_BYTES;
}

/** Lays out entries in the given order (callers sort with `compareZipNames` first). */
export function planZipLayout(entries: readonly ZipLayoutEntry[]): ZipLayout {
  const slots: ZipLayoutSlot[] = [];
  let offset = 0;
  let central = 0;
  for (const e of entries) {
    const n = nameBytes(e.name);
    const localBytes = localHeaderBytes(n, e.uncompressedSize) + e.compressedSize;
    const centralBytes = centralHeaderBytes(n, e.uncompressedSize, e.compressedSize, offset);
    slots.push({ offset, localBytes, centralBytes });
    offset += localBytes;
    central += centralBytes;
  }
  const endBytes = endRecordsBytes(entries.length, offset, central);
  return {
    slots,
    centralDirectoryOffset: offset,
    centralDirectorySize: central,
    endBytes,
    zip64End: endBytes !== EOCD_BYTES,
    totalBytes: offset + central + endBytes,
  };
}

/**
 * The one entry order of lambdafit zips: by UTF-8 bytes of the entry name (directories carry
 * their trailing `/`), so the order does not depend on locale. UTF-8 byte order equals code point
 * order, which differs from JavaScript's UTF-16 order only for characters above U+FFFF.
 */
export function compareZipNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // A surrogate starts a code point above U+FFFF, which sorts after every BMP character.
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
