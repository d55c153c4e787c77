import { open, type FileHandle } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createInflateRaw, crc32, inflateRaw } from 'node:zlib';
import { promisify } from 'node:util';
import { InputError } from '../errors.js';
import { resolveArchiveLimits, type ArchiveLimits } from './archive-limits.js';
import type { BundleSource, EntryVisitor, SourceEntry, VisitOptions } from './bundle-source.js';
import { normalizeEntryPath } from './normalize-entry-path.js';
import { runPool } from './run-pool.js';
import { validateTree } from './validate-tree.js';
import { applyZip64End, findZipEnd, parseCentralDirectory, type ZipCentralEntry } from './zip-central-directory.js';

const inflateRawAsync = promisify(inflateRaw) as (buf: Buffer, opts: { maxOutputLength: number }) => Promise<Buffer>;

const CHUNK = 256 * 1024;
/** Entries up to this compressed size are inflated in one call instead of streamed. */
const WHOLE_READ_MAX = 32 * 1024 * 1024;

interface ZipItem {
  entry: SourceEntry;
  cd: ZipCentralEntry;
  /** Offset of the entry's data, known after reading its local header. */
  dataStart?: number;
}

/**
 * Opens a `.zip` for reading without extracting it: decodes the central directory (zip64
 * included), validates every entry, and reads content by offset through one file handle, so a
 * multi-gigabyte zip is never loaded whole. Content is checked while it is read: CRC-32, the
 * declared size (inflating past it is a zip bomb) and entry data past the end of the file.
 */
export async function openZipSource(path: string, options: { limits?: Partial<ArchiveLimits> } = {}): Promise<BundleSource> {
  const limits = resolveArchiveLimits(options.limits);
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new InputError(`${path}: cannot open the zip (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path and its permissions.`, 'E_INPUT_UNREADABLE', { cause: err });
  }
  try {
    const dir = await readDirectory(path, fh, limits);
    return new ZipSource(path, fh, dir.fileSize, dir.items, dir.warnings);
  } catch (err) {
    await fh.close();
    throw err;
  }
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

function truncated(path: string, what: string): InputError {
  return new InputError(`${path}: ${what}, so the zip is truncated (an interrupted download or copy?); fetch or build it again.`, 'E_TRUNCATED');
}

async function readDirectory(path: string, fh: FileHandle, limits: ArchiveLimits): Promise<{ items: ZipItem[]; warnings: string[]; fileSize: number }> {
  const fileSize = (await fh.stat()).size;
  const tailLength = Math.min(fileSize, 22 + 0xffff + 20);
  const tail = await readAt(fh, fileSize - tailLength, tailLength);
  let end = findZipEnd(tail, fileSize - tailLength, fileSize);
  if (!end) {
    const magic = await readAt(fh, 0, 4);
    if (magic.length === 4 && magic.readUInt32LE(0) === 0x04034b50) throw truncated(path, 'it has no end-of-central-directory record');
    throw new InputError(`${path}: this is not a zip file (no end-of-central-directory record); pass a folder, a .zip or a .tar.gz.`, 'E_CORRUPT_ARCHIVE');
  }
  const cdEnd = end.zip64EndOffset ?? end.eocdOffset;
  if (end.zip64EndOffset !== undefined) {
    if (end.zip64EndOffset + 56 > fileSize) throw truncated(path, 'its zip64 end record lies past the end of the file');
    end = applyZip64End(path, end, await readAt(fh, end.zip64EndOffset, 56));
  }
  if (end.centralDirectoryOffset + end.centralDirectorySize > fileSize || end.centralDirectoryOffset + end.centralDirectorySize > cdEnd) {
    throw truncated(path, 'its central directory lies outside the file');
  }
  // Bytes before the first entry (a self-extractor stub) shift every recorded offset.
  const shift = end.zip64EndOffset === undefined ? cdEnd - (end.centralDirectoryOffset + end.centralDirectorySize) : 0;
  const cd = parseCentralDirectory(path, await readAt(fh, end.centralDirectoryOffset + shift, end.centralDirectorySize), end.entryCount);
  const items: ZipItem[] = [];
  let total = 0;
  for (const c of cd) {
    c.localHeaderOffset += shift;
    const entry = toSourceEntry(path, c);
    if (!entry) continue;
    if (entry.type === 'file' || entry.type === 'symlink') {
      if (c.flags & 0x1) throw new InputError(`${path}: entry "${c.rawName}" is encrypted, which Lambda cannot read; re-create the zip without a password.`, 'E_ENCRYPTED');
      if (c.method !== 0 && c.method !== 8) {
        throw new InputError(`${path}: entry "${c.rawName}" uses compression method ${c.method}; Lambda only reliably reads stored and deflated entries, so re-create the zip with \`zip -r\`.`, 'E_UNSUPPORTED_COMPRESSION');
      }
      if (c.method === 0 && c.compressedSize !== c.uncompressedSize) {
        throw new InputError(`${path}: stored entry "${c.rawName}" declares ${c.compressedSize} stored but ${c.uncompressedSize} actual bytes, so the zip is corrupt; re-create it.`, 'E_CORRUPT_ARCHIVE');
      }
      checkBomb(path, c, limits);
      total += c.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        throw new InputError(`${path}: entries declare more than ${limits.maxTotalBytes} bytes in total, the cap for uncompressed content (a zip bomb?); raise the limit only if the archive is trusted.`, 'E_ZIP_BOMB');
      }
      if (c.localHeaderOffset + 30 + c.nameLength + c.compressedSize > fileSize) throw truncated(path, `the data of entry "${c.rawName}" runs past the end of the file`);
    }
    items.push({ entry, cd: c });
  }
  checkOverlap(path, items);
  const source = new ZipSource(path, fh, fileSize, items, []);
  for (const it of items) {
    if (it.entry.type !== 'symlink') continue;
    if (it.cd.uncompressedSize > 4096) throw new InputError(`${path}: symlink "${it.entry.path}" has a ${it.cd.uncompressedSize}-byte target, longer than any valid path; the zip is corrupt.`, 'E_CORRUPT_ARCHIVE');
    it.entry.linkTarget = (await source.readFile(it.entry)).toString('utf8');
  }
  const { entries, warnings } = validateTree(path, items.map((i) => i.entry));
  const byEntry = new Map(items.map((i) => [i.entry, i]));
  return { items: entries.map((e) => byEntry.get(e) as ZipItem), warnings, fileSize };
}

function checkBomb(path: string, c: ZipCentralEntry, limits: ArchiveLimits): void {
  if (c.uncompressedSize >= limits.ratioMinBytes && c.uncompressedSize > limits.maxRatio * Math.max(1, c.compressedSize)) {
    const ratio = Math.round(c.uncompressedSize / Math.max(1, c.compressedSize));
    throw new InputError(
      `${path}: entry "${c.rawName}" expands ${ratio}:1 (${c.compressedSize} → ${c.uncompressedSize} bytes), past the ${limits.maxRatio}:1 cap for zip bombs; raise the limit only if the archive is trusted.`,
      'E_ZIP_BOMB',
    );
  }
}

/** Entries whose data overlap reuse the same compressed bytes many times: the "overlapping" zip bomb. */
function checkOverlap(path: string, items: ZipItem[]): void {
  const withData = items.filter((i) => i.entry.type !== 'dir').map((i) => i.cd).sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < withData.length; i++) {
    const a = withData[i - 1] as ZipCentralEntry;
    const b = withData[i] as ZipCentralEntry;
    if (a.localHeaderOffset + 30 + a.nameLength + a.compressedSize > b.localHeaderOffset) {
      throw new InputError(`${path}: entries "${a.rawName}" and "${b.rawName}" share compressed data, the trick of overlapping zip bombs; lambdafit refuses the archive.`, 'E_ZIP_BOMB');
    }
  }
}

function toSourceEntry(path: string, c: ZipCentralEntry): SourceEntry | undefined {
  const host = c.versionMadeBy >> 8;
  const unix = host === 3 || host === 19 ? c.externalAttributes >>> 16 : 0;
  const fmt = unix & 0o170000;
  const name = normalizeEntryPath(path, c.rawName);
  if (name === '') return undefined;
  if (fmt !== 0 && fmt !== 0o100000 && fmt !== 0o040000 && fmt !== 0o120000) {
    throw new InputError(`${path}: entry "${c.rawName}" is a device file, FIFO or socket, which has no place in a Lambda bundle; re-create the zip without it.`, 'E_DEVICE_FILE');
  }
  const isDir = c.rawName.endsWith('/') || fmt === 0o040000 || (host === 0 && (c.externalAttributes & 0x10) !== 0);
  const type = isDir ? 'dir' : fmt === 0o120000 ? 'symlink' : 'file';
  const perm = unix & 0o7777;
  return {
    path: name,
    type,
    size: type === 'file' ? c.uncompressedSize : 0,
    mode: perm !== 0 ? perm : type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644,
    ...(type === 'file' ? { crc32: c.crc32 } : {}),
  };
}

class ZipSource implements BundleSource {
  readonly type = 'zip' as const;
  readonly randomAccess = true;
  private readonly byEntry: Map<SourceEntry, ZipItem>;
  constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    private readonly fileSize: number,
    private readonly items: ZipItem[],
    private readonly notes: string[],
  ) {
    this.byEntry = new Map(items.map((i) => [i.entry, i]));
  }

  async entries(): Promise<SourceEntry[]> {
    return this.items.map((i) => i.entry);
  }

  warnings(): string[] {
    return [...this.notes];
  }

  async visit(visitor: EntryVisitor, options: VisitOptions = {}): Promise<void> {
    await runPool(
      this.items,
      options.concurrency ?? 4,
      (it) => visitor(it.entry, it.entry.type === 'file' ? { readAll: () => this.readFile(it.entry), chunks: () => this.readChunks(it.entry) } : undefined),
      options.signal,
    );
  }

  private item(entry: SourceEntry): ZipItem {
    const it = this.byEntry.get(entry);
    if (!it) throw new Error(`entry ${entry.path} does not belong to ${this.path}`);
    return it;
  }

  private async dataStart(it: ZipItem): Promise<number> {
    if (it.dataStart !== undefined) return it.dataStart;
    const h = await readAt(this.fh, it.cd.localHeaderOffset, 30);
    if (h.length < 30 || h.readUInt32LE(0) !== 0x04034b50) {
      throw new InputError(`${this.path}: the local header of entry "${it.cd.rawName}" is missing, so the zip is corrupt; re-create it.`, 'E_CORRUPT_ARCHIVE');
    }
    const start = it.cd.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
    if (start + it.cd.compressedSize > this.fileSize) throw truncated(this.path, `the data of entry "${it.cd.rawName}" runs past the end of the file`);
    return (it.dataStart = start);
  }

  private bomb(it: ZipItem): InputError {
    return new InputError(
      `${this.path}: entry "${it.cd.rawName}" inflates past its declared ${it.cd.uncompressedSize} bytes (a zip bomb, or a forged header); lambdafit refuses the archive.`,
      'E_ZIP_BOMB',
    );
  }

  private mismatch(it: ZipItem, what: string): InputError {
    return new InputError(`${this.path}: entry "${it.cd.rawName}" ${what}, so the zip is corrupt; re-create it.`, 'E_CORRUPT_ARCHIVE');
  }

  private verify(it: ZipItem, size: number, crc: number): void {
    if (size !== it.cd.uncompressedSize) throw this.mismatch(it, `holds ${size} bytes but declares ${it.cd.uncompressedSize}`);
    if (crc >>> 0 !== it.cd.crc32 >>> 0) throw this.mismatch(it, 'fails its CRC-32 check');
  }

  async readFile(entry: SourceEntry): Promise<Buffer> {
    const it = this.item(entry);
    if (it.cd.compressedSize > WHOLE_READ_MAX) {
      const parts: Buffer[] = [];
      for await (const c of this.readChunks(entry)) parts.push(c);
      return Buffer.concat(parts);
    }
    const raw = await readAt(this.fh, await this.dataStart(it), it.cd.compressedSize);
    let out: Buffer;
    if (it.cd.method === 0) out = raw;
    else {
      try {
        out = await inflateRawAsync(raw, { maxOutputLength: it.cd.uncompressedSize + 1 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw this.bomb(it);
        throw this.mismatch(it, `has invalid deflate data (${(err as Error).message})`);
      }
      if (out.length > it.cd.uncompressedSize) throw this.bomb(it);
    }
    this.verify(it, out.length, crc32(out));
    return out;
  }

  async *readChunks(entry: SourceEntry): AsyncGenerator<Buffer> {
    const it = this.item(entry);
    const start = await this.dataStart(it);
    const fh = this.fh;
    const csize = it.cd.compressedSize;
    async function* raw(): AsyncGenerator<Buffer> {
      for (let pos = 0; pos < csize; pos += CHUNK) yield await readAt(fh, start + pos, Math.min(CHUNK, csize - pos));
    }
    const out: AsyncIterable<Buffer> =
      it.cd.method === 0 ? raw() : pipeline(Readable.from(raw(), { objectMode: false }), createInflateRaw(), () => {});
    let size = 0;
    let crc = 0;
    try {
      for await (const chunk of out) {
        size += chunk.length;
        if (size > it.cd.uncompressedSize) throw this.bomb(it);
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw this.mismatch(it, `has invalid deflate data (${(err as Error).message})`);
    }
    this.verify(it, size, crc);
  }

  async readRange(entry: SourceEntry, offset: number, length: number): Promise<Buffer> {
    const it = this.item(entry);
    const end = Math.min(offset + length, it.cd.uncompressedSize);
    if (end <= offset) return Buffer.alloc(0);
    if (it.cd.method === 0) return readAt(this.fh, (await this.dataStart(it)) + offset, end - offset);
    const parts: Buffer[] = [];
    let pos = 0;
    for await (const c of this.readChunks(entry)) {
      const a = Math.max(offset, pos);
      const b = Math.min(end, pos + c.length);
      if (b > a) parts.push(c.subarray(a - pos, b - pos));
      pos += c.length;
      if (pos >= end) break;
    }
    return Buffer.concat(parts);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
