import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { InputError, throwIfAborted } from '../errors.js';
import type { OperationOptions } from '../progress.js';
import { normalizeEntryPath } from './normalize-entry-path.js';
import { planZipEntries, type PlannedZipEntry } from './plan-zip-entries.js';
import { deflateChunksForZip, deflateForZip, shouldStore } from './zip-deflate.js';
import { planZipLayout } from './zip-layout.js';
import { dosDateTime, encodeCentralHeader, encodeEndRecords, encodeLocalHeader, METHOD_DEFLATED, METHOD_STORED, type ZipRecord } from './zip-records.js';

/** One entry to write. */
export interface ZipInputEntry {
  /** POSIX path relative to the zip root, no trailing `/`. */
  path: string;
  /** What the entry is; directories of the paths are added anyway. */
  type: 'file' | 'dir' | 'symlink';
  /** Source permission bits; only "any x bit set" matters (→ 0755, else 0644). */
  mode: number;
  /** Files: exact size in bytes (the zip64 decision depends on it). */
  size: number;
  /** Symlinks: the target, written as the entry's data. */
  linkTarget?: string;
  /** Files: the content. May be called twice (an incompressible big file is re-read to store it). */
  chunks?: () => AsyncIterable<Buffer>;
  /** Files: the whole content (preferred for small files). */
  readAll?: () => Promise<Buffer>;
}

/** Options of `writeZip`. */
export interface WriteZipOptions extends OperationOptions {
  /** Timestamp of every entry. Default: `SOURCE_DATE_EPOCH` from `env`, else 1980-01-01 00:00 UTC. */
  mtime?: Date;
  /** Environment to read `SOURCE_DATE_EPOCH` from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Entries compressed ahead of the writer. Default 8 (keeps both cores busy). */
  concurrency?: number;
  /** Files above this size stream through deflate into the output instead of being buffered. Default 64 MiB. */
  streamAboveBytes?: number;
}

/** What `writeZip` wrote. */
export interface WriteZipResult {
  path: string;
  /** Size of the zip file. */
  bytes: number;
  /** Entries in the zip, directories included. */
  entries: number;
  storedFiles: number;
  deflatedFiles: number;
}

/** Files above this size stream through deflate into the output instead of being buffered. */
const BUFFERED_MAX = 64 * 1024 * 1024;
/** Bytes of file content compressed ahead of the writer at most (plus the entry being written). */
const PREFETCH_BYTES = 256 * 1024 * 1024;

interface Prepared {
  record: ZipRecord;
  data?: Buffer;
  /** Big file: compressed while written. */
  stream?: ZipInputEntry;
}

/** The timestamp lambdafit zips carry: fixed, so the same input gives the same bytes. */
export function zipTimestamp(options: Pick<WriteZipOptions, 'mtime' | 'env'>): Date {
  if (options.mtime) return options.mtime;
  const epoch = (options.env ?? process.env).SOURCE_DATE_EPOCH;
  if (epoch !== undefined && /^\d+$/.test(epoch.trim())) return new Date(Number(epoch.trim()) * 1000);
  return new Date(Date.UTC(1980, 0, 1));
}

/**
 * Writes the deterministic zip lambdafit deploys: entries sorted by name, directories included
 * (see `planZipEntries`), one fixed timestamp, forward slashes, Unix modes 0644/0755 (0755 when the
 * source has any x bit) and 0120777 for symlinks (target as data), deflate level 6 per entry but
 * stored when deflate does not make it smaller, no extra fields but zip64 where sizes, offsets or
 * the entry count need it. Written to a temp file in the same folder and renamed into place.
 * Its size is exactly what `predictZipBytes` says for the same entries.
 */
export async function writeZip(inputs: readonly ZipInputEntry[], outPath: string, options: WriteZipOptions = {}): Promise<WriteZipResult> {
  const out = resolve(outPath);
  for (const e of inputs) {
    if (normalizeEntryPath(out, e.path) !== e.path) {
      throw new InputError(`${out}: entry path "${e.path}" is not a normalised relative POSIX path; pass paths like "dir/file.js".`, 'E_ZIP_ENTRY_PATH');
    }
  }
  const { dosTime, dosDate } = dosDateTime(zipTimestamp(options));
  const planned = planZipEntries(inputs);
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await open(tmp, 'w', 0o644);
  const result: WriteZipResult = { path: out, bytes: 0, entries: planned.length, storedFiles: 0, deflatedFiles: 0 };
  try {
    const writer = new PositionalWriter(fh);
    const central: { record: ZipRecord; offset: number }[] = [];
    const window = Math.max(1, options.concurrency ?? 8);
    const streamAbove = options.streamAboveBytes ?? BUFFERED_MAX;
    const pending: Promise<Prepared>[] = [];
    let started = 0;
    let bufferedBytes = 0;
    const bufferedSize = (i: number): number => {
      const p = planned[i];
      return p?.type === 'file' && p.input && p.input.size <= streamAbove ? p.input.size : 0;
    };
    // Compress ahead of the writer, bounded by entry count and by bytes held in memory.
    const startMore = (current: number): void => {
      while (started < planned.length && started - current < window && (bufferedBytes < PREFETCH_BYTES || started === current)) {
        bufferedBytes += bufferedSize(started);
        const p = prepare(out, planned[started] as PlannedZipEntry<ZipInputEntry>, dosTime, dosDate, streamAbove);
        p.catch(() => {}); // awaited in order below; avoid unhandled-rejection noise meanwhile
        pending[started++] = p;
      }
    };
    for (let i = 0; i < planned.length; i++) {
      throwIfAborted(options.signal);
      startMore(i);
      const prep = await (pending[i] as Promise<Prepared>);
      delete pending[i];
      bufferedBytes -= bufferedSize(i);
      const offset = writer.position;
      if (prep.stream) {
        prep.record = await writeStreamed(out, writer, prep.record, prep.stream);
      } else {
        await writer.append(encodeLocalHeader(prep.record));
        if (prep.data) await writer.append(prep.data);
      }
      if (planned[i]?.type === 'file') {
        if (prep.record.method === METHOD_STORED) result.storedFiles++;
        else result.deflatedFiles++;
      }
      central.push({ record: prep.record, offset });
    }
    const cdOffset = writer.position;
    for (const c of central) await writer.append(encodeCentralHeader(c.record, c.offset));
    const cdSize = writer.position - cdOffset;
    await writer.append(encodeEndRecords(central.length, cdOffset, cdSize));
    await writer.flush();
    const expected = planZipLayout(central.map((c) => ({ name: c.record.name, uncompressedSize: c.record.uncompressedSize, compressedSize: c.record.compressedSize }))).totalBytes;
    if (writer.position !== expected) throw new Error(`zip writer: wrote ${writer.position} bytes but the layout says ${expected}`);
    await fh.truncate(writer.position);
    await fh.sync();
    await fh.close();
    result.bytes = writer.position;
    await rename(tmp, out);
    return result;
  } catch (err) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

function unixMode(p: PlannedZipEntry<ZipInputEntry>): number {
  if (p.type === 'dir') return 0o040755;
  if (p.type === 'symlink') return 0o120777;
  return (p.input?.mode ?? 0) & 0o111 ? 0o100755 : 0o100644;
}

async function prepare(out: string, p: PlannedZipEntry<ZipInputEntry>, dosTime: number, dosDate: number, streamAbove: number): Promise<Prepared> {
  const base = { name: p.name, dosTime, dosDate, unixMode: unixMode(p) };
  if (p.type === 'dir') return { record: { ...base, method: METHOD_STORED, crc32: 0, compressedSize: 0, uncompressedSize: 0 } };
  if (p.type === 'symlink') {
    const data = Buffer.from(p.input?.linkTarget ?? '', 'utf8');
    return { record: { ...base, method: METHOD_STORED, crc32: crc32(data), compressedSize: data.length, uncompressedSize: data.length }, data };
  }
  const input = p.input as ZipInputEntry;
  if (input.size > streamAbove && input.chunks) {
    return { record: { ...base, method: METHOD_DEFLATED, crc32: 0, compressedSize: 0, uncompressedSize: input.size }, stream: input };
  }
  const data = input.readAll ? await input.readAll() : Buffer.concat(await collect(input));
  if (data.length !== input.size) throw changed(out, input);
  const deflated = await deflateForZip(data);
  const store = shouldStore(data.length, deflated.length);
  return {
    record: { ...base, method: store ? METHOD_STORED : METHOD_DEFLATED, crc32: crc32(data), compressedSize: store ? data.length : deflated.length, uncompressedSize: data.length },
    data: store ? data : deflated,
  };
}

async function collect(input: ZipInputEntry): Promise<Buffer[]> {
  if (!input.chunks) throw new Error(`zip entry ${input.path} has no content`);
  const parts: Buffer[] = [];
  for await (const c of input.chunks()) parts.push(c);
  return parts;
}

function changed(out: string, input: ZipInputEntry): InputError {
  return new InputError(`${out}: "${input.path}" changed while it was being zipped; make sure nothing writes to the bundle, then run again.`, 'E_INPUT_CHANGED');
}

/** Deflates a big file straight into the output, falls back to storing it, then patches its header. */
async function writeStreamed(out: string, writer: PositionalWriter, record: ZipRecord, input: ZipInputEntry): Promise<ZipRecord> {
  await writer.flush();
  const headerAt = writer.position;
  const headerLength = encodeLocalHeader(record).length;
  const dataAt = headerAt + headerLength;
  let crc = 0;
  let pos = dataAt;
  const chunks = input.chunks as () => AsyncIterable<Buffer>;
  const { inputBytes: size } = await deflateChunksForZip(
    chunks(),
    async (d) => {
      pos = await writer.writeAt(d, pos);
    },
    (c) => {
      crc = crc32(c, crc);
    },
  );
  if (size !== input.size) throw changed(out, input);
  let final: ZipRecord = { ...record, crc32: crc, compressedSize: pos - dataAt };
  if (shouldStore(size, pos - dataAt)) {
    pos = dataAt;
    let again = 0;
    for await (const c of chunks()) {
      again = crc32(c, again);
      pos = await writer.writeAt(c, pos);
    }
    if (pos - dataAt !== size || again !== crc) throw changed(out, input);
    final = { ...record, method: METHOD_STORED, crc32: crc, compressedSize: size };
  }
  await writer.writeAt(encodeLocalHeader(final), headerAt);
  writer.moveTo(pos);
  return final;
}

/** Appends through a 1 MiB buffer (one syscall per MiB, not per header); positional writes for patches. */
class PositionalWriter {
  /** Logical end of the data written so far. */
  position = 0;
  private readonly buf = Buffer.allocUnsafe(1024 * 1024);
  private used = 0;
  private bufStart = 0;
  constructor(private readonly fh: FileHandle) {}

  async append(data: Buffer): Promise<void> {
    if (this.used + data.length > this.buf.length) await this.flush();
    if (data.length >= this.buf.length) {
      await this.writeAt(data, this.position);
      this.position += data.length;
      this.bufStart = this.position;
      return;
    }
    data.copy(this.buf, this.used);
    this.used += data.length;
    this.position += data.length;
  }

  async flush(): Promise<void> {
    if (this.used > 0) await this.writeAt(this.buf.subarray(0, this.used), this.bufStart);
    this.used = 0;
    this.bufStart = this.position;
  }

  /** Moves the end after data written with `writeAt` (the buffer must be flushed). */
  moveTo(position: number): void {
    this.position = position;
    this.bufStart = position;
  }

  async writeAt(data: Buffer, at: number): Promise<number> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.fh.write(data, done, data.length - done, at + done);
      done += bytesWritten;
    }
    return at + data.length;
  }
}
