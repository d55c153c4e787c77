import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError, throwIfAborted } from '../errors.js';
import { resolveArchiveLimits, type ArchiveLimits } from './archive-limits.js';
import type { BundleSource, EntryContent, EntryVisitor, SourceEntry, VisitOptions } from './bundle-source.js';
import { ChunkReader } from './chunk-reader.js';
import { normalizeEntryPath } from './normalize-entry-path.js';
import { isZeroBlock, parsePaxRecords, parseTarHeader } from './tar-header.js';
import { validateTree } from './validate-tree.js';

/** Files up to this size are buffered so the visitor can process several at once. */
const BUFFER_MAX = 1024 * 1024;

/** The data of the entry being read, valid until the visitor for it resolves. */
interface EntryData {
  chunks(): AsyncGenerator<Buffer>;
  consumed(): number;
}

/**
 * Opens a `.tar.gz`/`.tgz` for reading without extracting it: one sequential pass through gunzip
 * and a ustar/pax/GNU parser. It is not random-access: content is only available while `visit`
 * runs. Device files, FIFOs, absolute paths, `..`, escaping symlinks, a gzip stream that ends early
 * and more decompressed bytes than the cap each stop the pass with one InputError.
 */
export async function openTarGzSource(path: string, options: { limits?: Partial<ArchiveLimits> } = {}): Promise<BundleSource> {
  const limits = resolveArchiveLimits(options.limits);
  let magic: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      magic = Buffer.alloc(2);
      await fh.read(magic, 0, 2, 0);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new InputError(`${path}: cannot open the archive (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path and its permissions.`, 'E_INPUT_UNREADABLE', { cause: err });
  }
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) {
    throw new InputError(`${path}: this is not a gzip file; pass a folder, a .zip or a .tar.gz (made with \`tar czf\`).`, 'E_CORRUPT_ARCHIVE');
  }
  return new TarGzSource(path, limits);
}

class TarGzSource implements BundleSource {
  readonly type = 'tar.gz' as const;
  readonly randomAccess = false;
  private listed: { entries: SourceEntry[]; warnings: string[] } | undefined;
  constructor(
    readonly path: string,
    private readonly limits: ArchiveLimits,
  ) {}

  private truncated(what: string): InputError {
    return new InputError(`${this.path}: the archive ends in the middle of ${what}, so it is truncated (an interrupted download or copy?); fetch or build it again.`, 'E_TRUNCATED');
  }

  /** One pass over the archive; `onEntry` must finish with the entry's data before it resolves. */
  private async pass(onEntry: (entry: SourceEntry, data: EntryData | undefined) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const gunzip = pipeline(createReadStream(this.path), createGunzip(), () => {});
    const it = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const mapped: AsyncIterator<Buffer> = {
      next: async () => {
        try {
          return await it.next();
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'Z_BUF_ERROR') throw this.truncated('the gzip stream');
          throw new InputError(`${this.path}: the gzip data is damaged (${(err as Error).message}); re-create the archive.`, 'E_CORRUPT_ARCHIVE');
        }
      },
    };
    const reader = new ChunkReader(mapped, (what) => this.truncated(what));
    let pax: Record<string, string> = {};
    let longName: string | undefined;
    let longLink: string | undefined;
    let total = 0;
    try {
      for (;;) {
        throwIfAborted(signal);
        const block = await reader.read(512, 'a tar header');
        if (block === null || isZeroBlock(block)) break;
        const h = parseTarHeader(this.path, block);
        const size = pax.size !== undefined ? Number(pax.size) : h.size;
        const padding = (512 - (size % 512)) % 512;
        if (h.type === 'x' || h.type === 'g' || h.type === 'L' || h.type === 'K') {
          if (size > 1024 * 1024) throw new InputError(`${this.path}: an extended header declares ${size} bytes, which no real name needs; the archive is corrupt.`, 'E_CORRUPT_ARCHIVE');
          const data = (await reader.read(size, 'an extended header')) ?? Buffer.alloc(0);
          await reader.skip(padding, 'an extended header');
          if (h.type === 'x') pax = parsePaxRecords(this.path, data);
          else if (h.type === 'L') longName = data.toString('utf8').replace(/\0.*$/s, '');
          else if (h.type === 'K') longLink = data.toString('utf8').replace(/\0.*$/s, '');
          continue;
        }
        const rawName = pax.path ?? longName ?? h.name;
        const rawLink = pax.linkpath ?? longLink ?? h.linkName;
        pax = {};
        longName = longLink = undefined;
        if (h.type === 'V') {
          await reader.skip(size + padding, 'a volume label');
          continue;
        }
        const entry = this.toEntry(h.type, rawName, rawLink, h.mode, size);
        total += entry?.type === 'file' && entry.hardlinkTo === undefined ? size : 0;
        if (total > this.limits.maxTotalBytes) {
          throw new InputError(`${this.path}: entries hold more than ${this.limits.maxTotalBytes} bytes in total, the cap for uncompressed content (a decompression bomb?); raise the limit only if the archive is trusted.`, 'E_ZIP_BOMB');
        }
        const dataSize = entry?.type === 'file' && entry.hardlinkTo === undefined ? size : 0;
        let consumed = 0;
        const data: EntryData | undefined =
          entry?.type === 'file' && entry.hardlinkTo === undefined
            ? {
                chunks: async function* () {
                  for await (const c of reader.take(dataSize, `"${rawName}"`)) {
                    consumed += c.length;
                    yield c;
                  }
                },
                consumed: () => consumed,
              }
            : undefined;
        if (entry) await onEntry(entry, data);
        // Entries the visitor did not read (and the data of dirs, links, skipped types) are skipped.
        await reader.skip(size - consumed + padding, `"${rawName}"`);
      }
    } finally {
      await it.return?.();
      gunzip.destroy();
    }
  }

  private toEntry(type: string, rawName: string, rawLink: string, mode: number, size: number): SourceEntry | undefined {
    if (type === '3' || type === '4' || type === '6') {
      const what = type === '6' ? 'a FIFO' : 'a device file';
      throw new InputError(`${this.path}: entry "${rawName}" is ${what}, which has no place in a Lambda bundle and could touch the host when extracted; re-create the archive without it.`, 'E_DEVICE_FILE');
    }
    if (type === 'S' || type === 'M') {
      throw new InputError(`${this.path}: entry "${rawName}" is a GNU sparse or multi-volume member, which lambdafit does not read; re-create the archive with plain \`tar czf\`.`, 'E_UNSUPPORTED_ENTRY');
    }
    const path = normalizeEntryPath(this.path, rawName);
    if (path === '') return undefined;
    if (type === '5') return { path, type: 'dir', size: 0, mode: mode || 0o755 };
    if (type === '2') return { path, type: 'symlink', size: 0, mode: 0o777, linkTarget: rawLink };
    if (type === '1') {
      const target = normalizeEntryPath(this.path, rawLink);
      return { path, type: 'file', size, mode: mode || 0o644, hardlinkTo: target };
    }
    // '0', '7' (contiguous) and unknown types: POSIX says to read them as regular files.
    return { path, type: 'file', size, mode: mode || 0o644 };
  }

  async entries(options: { signal?: AbortSignal } = {}): Promise<SourceEntry[]> {
    if (!this.listed) {
      const found: SourceEntry[] = [];
      await this.pass(async (e) => void found.push(e), options.signal);
      this.listed = validateTree(this.path, found);
      this.fixHardlinkSizes(this.listed.entries);
    }
    return this.listed.entries;
  }

  /** A hard link entry carries size 0 in most tars; it has its target's size once extracted. */
  private fixHardlinkSizes(entries: SourceEntry[]): void {
    const byPath = new Map(entries.map((e) => [e.path, e]));
    for (const e of entries) if (e.hardlinkTo !== undefined) e.size = byPath.get(e.hardlinkTo)?.size ?? 0;
  }

  warnings(): string[] {
    return [...(this.listed?.warnings ?? [])];
  }

  async visit(visitor: EntryVisitor, options: VisitOptions = {}): Promise<void> {
    const limit = Math.max(1, options.concurrency ?? 4);
    const inFlight = new Set<Promise<void>>();
    const finished = new Map<string, Promise<void>>();
    const sizes = new Map<string, number>();
    const seen: SourceEntry[] = [];
    let failure: { error: unknown } | undefined;
    const launch = async (entry: SourceEntry, content: EntryContent | undefined): Promise<void> => {
      while (inFlight.size >= limit) await Promise.race(inFlight);
      if (failure) throw failure.error;
      const wait = entry.hardlinkTo !== undefined ? finished.get(entry.hardlinkTo) : undefined;
      const p = (async () => {
        if (wait) await wait;
        await visitor(entry, content);
      })().catch((error: unknown) => {
        failure ??= { error };
      });
      finished.set(entry.path, p);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    };
    try {
      await this.pass(async (entry, data) => {
        if (failure) throw failure.error;
        seen.push(entry);
        if (entry.type === 'file' && entry.hardlinkTo === undefined) sizes.set(entry.path, entry.size);
        if (entry.hardlinkTo !== undefined) entry.size = sizes.get(entry.hardlinkTo) ?? 0;
        if (!data) return launch(entry, undefined);
        if (entry.size <= BUFFER_MAX) {
          const parts: Buffer[] = [];
          for await (const c of data.chunks()) parts.push(c);
          const buf = Buffer.concat(parts);
          return launch(entry, { readAll: async () => buf, chunks: async function* () { yield buf; } });
        }
        // A big file streams straight from the archive, so the pass waits for its visitor.
        let used = false;
        await visitor(entry, {
          readAll: async () => {
            const parts: Buffer[] = [];
            for await (const c of data.chunks()) parts.push(c);
            return Buffer.concat(parts);
          },
          chunks: () => {
            if (used) throw new Error(`content of ${entry.path} can only be read once`);
            used = true;
            return data.chunks();
          },
        });
      }, options.signal);
    } finally {
      await Promise.all(inFlight);
    }
    if (failure) throw failure.error;
    const checked = validateTree(this.path, seen);
    this.listed ??= checked;
  }

  private notRandom(): never {
    throw new Error(`${this.path} is a tar.gz: its content can only be read during visit()`);
  }

  readFile(): Promise<Buffer> {
    return this.notRandom();
  }

  readChunks(): AsyncIterable<Buffer> {
    return this.notRandom();
  }

  readRange(): Promise<Buffer> {
    return this.notRandom();
  }

  async close(): Promise<void> {
    // Nothing stays open between passes.
  }
}
