import { InputError } from '../errors.js';

/**
 * Pure decoding of a zip's end records and central directory (APPNOTE 6.3.10), zip64 included.
 * The I/O around it (which bytes to read) lives in `open-zip-source.ts`.
 */

/** What the end-of-central-directory record says. */
export interface ZipEnd {
  /** Offset of the classic EOCD record in the file. */
  eocdOffset: number;
  entryCount: number;
  centralDirectorySize: number;
  centralDirectoryOffset: number;
  /** Offset of the zip64 end record, when a zip64 locator precedes the EOCD. */
  zip64EndOffset?: number;
}

/** One central directory header, decoded. */
export interface ZipCentralEntry {
  /** Name as stored, decoded as UTF-8 (bit 11 or valid UTF-8), else Latin-1. */
  rawName: string;
  versionMadeBy: number;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  externalAttributes: number;
  /** Byte length of the name (a lower bound for the local header's name). */
  nameLength: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeName(bytes: Buffer, flagged: boolean): string {
  if (flagged) return bytes.toString('utf8');
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function corrupt(container: string, what: string): InputError {
  return new InputError(`${container}: ${what}, so the zip is corrupt; re-create it (for example with \`zip -r\`).`, 'E_CORRUPT_ARCHIVE');
}

/**
 * Finds the EOCD record in the last bytes of a file (`tail` starts at file offset `tailStart`).
 * Scans backwards and prefers a record whose comment ends exactly at the end of the file.
 */
export function findZipEnd(tail: Buffer, tailStart: number, fileSize: number): ZipEnd | undefined {
  let fallback: number | undefined;
  let found: number | undefined;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== 0x06054b50) continue;
    const commentLength = tail.readUInt16LE(i + 20);
    if (tailStart + i + 22 + commentLength === fileSize) {
      found = i;
      break;
    }
    fallback ??= i;
  }
  const at = found ?? fallback;
  if (at === undefined) return undefined;
  const end: ZipEnd = {
    eocdOffset: tailStart + at,
    entryCount: tail.readUInt16LE(at + 10),
    centralDirectorySize: tail.readUInt32LE(at + 12),
    centralDirectoryOffset: tail.readUInt32LE(at + 16),
  };
  const loc = at - 20;
  if (loc >= 0 && tail.readUInt32LE(loc) === 0x07064b50) {
    end.zip64EndOffset = Number(tail.readBigUInt64LE(loc + 8));
  }
  return end;
}

/** Applies a zip64 end record (56+ bytes starting with its signature) to the classic values. */
export function applyZip64End(container: string, end: ZipEnd, record: Buffer): ZipEnd {
  if (record.length < 56 || record.readUInt32LE(0) !== 0x06064b50) throw corrupt(container, 'the zip64 end record is missing where its locator points');
  return {
    ...end,
    entryCount: Number(record.readBigUInt64LE(32)),
    centralDirectorySize: Number(record.readBigUInt64LE(40)),
    centralDirectoryOffset: Number(record.readBigUInt64LE(48)),
  };
}

/** Decodes `count` central directory headers from `buf`. */
export function parseCentralDirectory(container: string, buf: Buffer, count: number): ZipCentralEntry[] {
  const out: ZipCentralEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) {
      throw corrupt(container, `central directory header ${i + 1} of ${count} is damaged`);
    }
    const flags = buf.readUInt16LE(p + 8);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const next = p + 46 + nameLength + extraLength + commentLength;
    if (next > buf.length) throw corrupt(container, `central directory header ${i + 1} of ${count} runs past the directory`);
    const e: ZipCentralEntry = {
      rawName: decodeName(buf.subarray(p + 46, p + 46 + nameLength), (flags & 0x0800) !== 0),
      versionMadeBy: buf.readUInt16LE(p + 4),
      flags,
      method: buf.readUInt16LE(p + 10),
      crc32: buf.readUInt32LE(p + 16),
      compressedSize: buf.readUInt32LE(p + 20),
      uncompressedSize: buf.readUInt32LE(p + 24),
      externalAttributes: buf.readUInt32LE(p + 38),
      localHeaderOffset: buf.readUInt32LE(p + 42),
      nameLength,
    };
    applyZip64Extra(container, e, buf.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    out.push(e);
    p = next;
  }
  return out;
}

/** Replaces 0xFFFFFFFF fields with their 64-bit values from the zip64 extra field (id 0x0001). */
function applyZip64Extra(container: string, e: ZipCentralEntry, extra: Buffer): void {
  const wants = [e.uncompressedSize === 0xffffffff, e.compressedSize === 0xffffffff, e.localHeaderOffset === 0xffffffff];
  if (!wants.some(Boolean)) return;
  for (let x = 0; x + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(x);
    const size = extra.readUInt16LE(x + 2);
    if (id === 0x0001) {
      let q = x + 4;
      const read = (): number => {
        if (q + 8 > x + 4 + size || q + 8 > extra.length) throw corrupt(container, `entry "${e.rawName}" has a short zip64 extra field`);
        const v = Number(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (wants[0]) e.uncompressedSize = read();
      if (wants[1]) e.compressedSize = read();
      if (wants[2]) e.localHeaderOffset = read();
      return;
    }
    x += 4 + size;
  }
  throw corrupt(container, `entry "${e.rawName}" needs a zip64 extra field but has none`);
}
