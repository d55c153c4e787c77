import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ArchiveLimits } from '../archive/archive-limits.js';
import type { BundleSource, EntryContent, SourceEntry } from '../archive/bundle-source.js';
import { openBundleSource } from '../archive/open-bundle-source.js';
import { DeflatePool, type WorkerFileMeasure } from '../archive/deflate-pool.js';
import { runPool } from '../archive/run-pool.js';
import { deflateForZip, PIECE_BYTES, zipDataBytes } from '../archive/zip-deflate.js';
import type { OperationOptions } from '../progress.js';
import type { TreeIndex, TreeListing } from './bundle-index.js';
import { buildFileEntries, emptyDirectoriesOf, type MeasuredFile } from './build-file-entries.js';
import { extensionNeedsHeader, fileExtension, needsHeader, type HeaderFacts } from './classify-file.js';
import { findOnnxExternalDataRefs } from './find-onnx-external-data.js';
import { measureChunks } from './measure-content.js';
import { predictZipBytes } from './predict-zip-bytes.js';
import type { ProgressThrottle } from './progress-throttle.js';
import { isPackageMetadata } from './python-owners.js';
import { readHeaderFacts } from './read-header-facts.js';
import { HEADER_BYTES } from './read-native-info.js';
import type { ArchiveStamp, CachedFile, ScanCache } from './scan-cache.js';

/** Options of `scanTree`. */
export interface ScanTreeOptions extends OperationOptions {
  /** Compute sha256 content hashes. */
  hash: boolean;
  /** Compute compressed sizes and `zippedBytes` (implies `hash`, the cache key). */
  compress: boolean;
  /** Where hashes and compressed sizes are remembered (`ScanCache.disabled()` for none). */
  cache: ScanCache;
  /** Decompression-bomb caps for archives. */
  limits?: Partial<ArchiveLimits>;
  /** Files processed at once. Default 8: enough to keep both cores and the disk busy. */
  concurrency?: number;
  /** Receives (and throttles) `scan:walk` and `scan:compress` events. */
  progress: ProgressThrottle;
}

/** A scanned tree and what was observed on the way. */
export interface ScannedTree {
  tree: TreeIndex | TreeListing;
  warnings: string[];
}

/** The facts of a file whose header was not read (shared: facts are never modified). */
const NO_FACTS: HeaderFacts = Object.freeze({});

/** Files up to this size are read whole; bigger ones stream through hash and deflate once. */
const WHOLE_MAX = 8 * 1024 * 1024;
/** ONNX files up to this size are searched for external data references. */
const ONNX_REFS_MAX = 64 * 1024 * 1024;
/** How much of a streamed file is kept to sniff its header when it cannot be read at random. */
const STREAM_HEAD = 64 * 1024;

/**
 * Scans one tree (a folder, zip or tar.gz): every file's kind, owner, and (in scan mode) sha256
 * and the bytes it takes in a lambdafit zip, with `zippedBytes` predicted exactly. In listing mode
 * (`hash` and `compress` false) only files whose extension is not obviously text are opened, for
 * their first 4 KB. Unchanged folder files and unchanged archives come from the cache.
 */
export async function scanTree(path: string, options: ScanTreeOptions): Promise<ScannedTree> {
  const { cache, progress, signal } = options;
  const hashing = options.hash || options.compress;
  const source = await openBundleSource(path, {
    limits: options.limits,
    onWalk: (files, bytes) => progress.emit({ type: 'scan:walk', files, bytes }),
  });
  try {
    let stamp: ArchiveStamp | undefined;
    if (source.type !== 'folder' && options.compress) {
      const st = statSync(source.path);
      stamp = [st.size, st.mtimeMs, st.ctimeMs, st.ino];
      const hit = await cache.loadArchive(source.path, stamp);
      if (hit) return hit;
    }
    const listed = source.randomAccess ? await source.entries({ signal }) : undefined;
    const total = listed ? listed.filter((e) => e.type !== 'dir').length : 0;
    if (listed) {
      progress.emit({ type: 'scan:walk', files: total, bytes: listed.reduce((n, e) => n + e.size, 0) });
      progress.flush('scan:walk');
    }
    const before = source.type === 'folder' ? await cache.loadFolder(source.path) : new Map<string, CachedFile>();
    const after = new Map<string, CachedFile>();
    const measured = new Map<string, MeasuredFile>();
    // Files answered in the listing loop, by index into `listed`: no path is hashed for them.
    const measuredAt: (MeasuredFile | undefined)[] = listed ? new Array<MeasuredFile | undefined>(listed.length) : [];
    const metadata = new Map<string, string>();
    const refs = new Map<string, string[]>();
    const warnings: string[] = [];
    const counts = { done: 0, bytes: 0, cached: 0 };

    let cacheChanged = before.size === 0;
    /** The cache's record of a file, if the file is unchanged since. */
    const validHit = (entry: SourceEntry): CachedFile | undefined => {
      // Listing and first scans have no cache: skip hashing every path for an empty map.
      if (before.size === 0) return undefined;
      const hit = before.get(entry.path);
      return hit && hit.size === entry.size && hit.mtimeMs === entry.mtimeMs && hit.ctimeMs === entry.ctimeMs && hit.ino === entry.ino ? hit : undefined;
    };
    /** What the cache (`hit`, the file's unchanged record) or the extension alone answers without reading the file, if everything. */
    const answerWithoutReading = (entry: SourceEntry, hit: CachedFile | undefined): MeasuredFile | undefined => {
      const ext = fileExtension(entry.path);
      if ((ext === 'onnx' && entry.size <= ONNX_REFS_MAX) || isPackageMetadata(entry.path)) return undefined;
      if (!hashing) return extensionNeedsHeader(ext) ? undefined : { entry, facts: NO_FACTS };
      if (!hit) return undefined;
      const zipBytes = options.compress ? (hit.zipBytes ?? cache.zipDataBytes(hit.hash)) : undefined;
      if (options.compress && zipBytes === undefined) return undefined;
      counts.cached++;
      if (options.compress && hit.zipBytes === undefined) cacheChanged = true; // store it inline next time
      return { entry, facts: hit.facts, hash: hit.hash, zipBytes };
    };
    const measure = async (entry: SourceEntry, content: EntryContent | undefined): Promise<MeasuredFile> => {
      if (!content) {
        // A tar hard link: the same content as a file measured before it.
        const target = measured.get(entry.hardlinkTo ?? '');
        return { entry, facts: target?.facts ?? {}, hash: target?.hash, zipBytes: target?.zipBytes };
      }
      const wantsHeader = needsHeader(entry.path);
      const isMeta = isPackageMetadata(entry.path);
      const isOnnx = fileExtension(entry.path) === 'onnx' && entry.size <= ONNX_REFS_MAX;
      let facts: HeaderFacts | undefined;
      let hash: string | undefined;
      let zipBytes: number | undefined;
      const hit = validHit(entry);
      if (hit) {
        facts = hit.facts;
        if (hashing) hash = hit.hash;
        zipBytes = options.compress ? (hit.zipBytes ?? cache.zipDataBytes(hit.hash)) : undefined;
      }
      const needHash = hashing && hash === undefined;
      const needZip = options.compress && zipBytes === undefined;
      const needFacts = wantsHeader && facts === undefined;
      if (needHash || needFacts || needZip) cacheChanged = true;
      if (!needHash && !needZip && !needFacts) {
        counts.cached++;
        // Package metadata and ONNX models are still read below, for their contents.
        if (!isMeta && !isOnnx) return { entry, facts: facts ?? {}, hash, zipBytes };
      }
      // Listing reads only the header bytes it needs; scanning reads small files whole, once.
      if (isOnnx || isMeta || (hashing && entry.size <= WHOLE_MAX)) {
        const data = await content.readAll();
        if (needFacts) facts = await readHeaderFacts(data.subarray(0, HEADER_BYTES), async (o, l) => data.subarray(o, o + l));
        if (needHash) hash = createHash('sha256').update(data).digest('hex');
        if (needZip) zipBytes = cache.zipDataBytes(hash as string) ?? zipDataBytes(data.length, (await deflateForZip(data)).length);
        if (isMeta) metadata.set(entry.path, data.toString('utf8'));
        if (isOnnx) {
          const found = findOnnxExternalDataRefs(data);
          if (found.length > 0) refs.set(entry.path, found);
        }
        return { entry, facts: facts ?? {}, hash, zipBytes };
      }
      if (needFacts && source.randomAccess) {
        const head = await source.readRange(entry, 0, HEADER_BYTES);
        facts = await readHeaderFacts(head, (o, l) => source.readRange(entry, o, l));
      }
      if (needHash || needZip) {
        const keepHead = facts === undefined && wantsHeader ? STREAM_HEAD : 0;
        // A big file whose content may be known already (a copy, or the same model in another
        // tree): hash it first, which costs a fraction of deflating it, and deflate only on a miss.
        // Random-access sources can be read twice; a tar.gz stream cannot.
        const hashFirst = needHash && needZip && source.randomAccess;
        const m = await measureChunks(content.chunks(), { hash: true, compress: needZip && !hashFirst, keepHead });
        hash ??= m.hash;
        if (needZip) zipBytes = hashFirst ? (cache.zipDataBytes(hash as string) ?? (await measureChunks(source.readChunks(entry), { hash: false, compress: true })).zipBytes) : m.zipBytes;
        if (m.head) facts = await readHeaderFacts(m.head, async (o, l) => (m.head as Buffer).subarray(o, o + l));
      } else if (needFacts && facts === undefined) {
        facts = await readStreamHead(content);
      }
      return { entry, facts: facts ?? {}, hash, zipBytes };
    };

    const emitCounts = (): void => {
      if (!listed) progress.emit({ type: 'scan:walk', files: counts.done, bytes: counts.bytes });
      if (hashing) progress.emit({ type: 'scan:compress', done: counts.done, total: Math.max(total, counts.done), bytes: counts.bytes, cachedFiles: counts.cached });
    };
    /** `cached`: the cache's unchanged record of the file, when the answer came from it; `at`: its index in `listed`. */
    const record = (entry: SourceEntry, m: MeasuredFile, cached?: CachedFile, at?: number): void => {
      if (cached && cached.zipBytes === m.zipBytes) after.set(entry.path, cached);
      else if (m.hash && entry.mtimeMs !== undefined) {
        after.set(entry.path, { size: entry.size, mtimeMs: entry.mtimeMs, ctimeMs: entry.ctimeMs ?? 0, ino: entry.ino ?? 0, hash: m.hash, facts: m.facts, ...(m.zipBytes !== undefined ? { zipBytes: m.zipBytes } : {}) });
      }
      if (!cached && m.hash && m.zipBytes !== undefined) cache.rememberZipDataBytes(m.hash, m.zipBytes);
      if (entry.type === 'file') counts.bytes += entry.size;
      if (at === undefined) measured.set(entry.path, m);
      else measuredAt[at] = m;
      // Progress is throttled anyway: building an event per file costs more than it tells.
      if ((++counts.done & 127) === 0) emitCounts();
    };
    const visitOne = async (entry: SourceEntry, content: EntryContent | undefined): Promise<void> => {
      if (entry.type === 'dir') return;
      if (entry.type === 'symlink') return record(entry, { entry, facts: {} });
      let m: MeasuredFile;
      try {
        m = await measure(entry, content);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (source.type !== 'folder' || !code || !/^E[A-Z]+$/.test(code)) throw err;
        warnings.push(`${source.path}/${entry.path}: could not be read (${code}); it is counted as stored in the zip size. Fix its permissions.`);
        m = { entry, facts: {} };
      }
      record(entry, m);
    };
    if (listed) {
      // Random access: answer what needs no reading right here (most files when listing or
      // re-scanning), and send only the rest through the concurrent pool.
      const rest: SourceEntry[] = [];
      for (let i = 0; i < listed.length; i++) {
        const e = listed[i] as SourceEntry;
        if (e.type === 'dir') continue;
        if (e.type === 'symlink') {
          record(e, { entry: e, facts: {} }, undefined, i);
          continue;
        }
        const hit = validHit(e);
        const quick = answerWithoutReading(e, hit);
        if (quick) record(e, quick, hit, i);
        else rest.push(e);
      }
      const content = (e: SourceEntry): EntryContent => ({ readAll: () => source.readFile(e), chunks: () => source.readChunks(e) });
      // Small folder files go to the worker threads in batches: read, hashed and deflated there.
      const batches = source.type === 'folder' && options.compress ? workerBatches(rest.filter((e) => isWorkerMeasurable(e))) : [];
      const viaWorkers = new Set(batches.flat());
      const pool = DeflatePool.shared();
      const measureBatch = async (batch: SourceEntry[]): Promise<void> => {
        const hits = batch.map(validHit);
        // The cache's facts stand while the file is unchanged; only new files need their header.
        const wantHead = batch.map((e, i) => (needsHeader(e.path) && !hits[i] ? HEADER_BYTES : 0));
        const out = await pool.measureFiles(batch.map((e, i) => ({ path: join(source.path, e.path), size: e.size, headBytes: wantHead[i] })));
        for (let i = 0; i < batch.length; i++) {
          const e = batch[i] as SourceEntry;
          const r = out[i] as WorkerFileMeasure;
          // Unreadable or changed under us: the ordinary path reports it properly.
          if (r.hash === undefined || r.deflatedBytes === undefined) {
            await visitOne(e, content(e));
            continue;
          }
          const cached = hits[i];
          let facts = cached?.facts;
          if (r.head) {
            const head = Buffer.from(r.head.buffer, r.head.byteOffset, r.head.byteLength);
            facts = await readHeaderFacts(head, (o, l) => (o + l <= head.length ? Promise.resolve(head.subarray(o, o + l)) : source.readRange(e, o, l)));
          }
          if (cached?.hash !== r.hash) cacheChanged = true;
          record(e, { entry: e, facts: facts ?? {}, hash: r.hash, zipBytes: zipDataBytes(e.size, r.deflatedBytes) });
        }
      };
      await Promise.all([
        runPool(batches, Math.max(2, 2 * availableParallelism()), measureBatch, signal),
        runPool(rest.filter((e) => !viaWorkers.has(e)), options.concurrency ?? 8, (e) => visitOne(e, content(e)), signal),
      ]);
    } else {
      await source.visit(visitOne, { concurrency: options.concurrency ?? 8, signal });
    }
    emitCounts();
    progress.flush();

    const entries = listed ?? (await source.entries({ signal }));
    const inOrder: MeasuredFile[] = [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as SourceEntry;
      if (e.type !== 'dir') inOrder.push(measuredAt[i] ?? (measured.get(e.path) as MeasuredFile));
    }
    const files = buildFileEntries(inOrder, metadata, refs);
    const emptyDirectories = emptyDirectoriesOf(entries);
    const listing: TreeListing = {
      source: source.path,
      sourceType: source.type,
      files,
      emptyDirectories,
      unzippedBytes: files.reduce((n, f) => n + (f.symlinkTarget === undefined ? f.bytes : 0), 0),
    };
    warnings.push(...source.warnings(), ...symlinkWarning(source, files.filter((f) => f.symlinkTarget !== undefined).map((f) => `${f.path} -> ${f.symlinkTarget}`)));
    if (!options.compress) return { tree: listing, warnings };
    const tree: TreeIndex = { ...listing, zippedBytes: predictZipBytes(files, emptyDirectories) };
    if (source.type === 'folder' && (cacheChanged || after.size !== before.size)) await cache.saveFolder(source.path, after);
    else if (stamp) await cache.saveArchive(source.path, stamp, tree, warnings);
    return { tree, warnings };
  } finally {
    await source.close();
  }
}

/** Files the workers measure: small enough for one deflate piece, and not read for their text. */
function isWorkerMeasurable(entry: SourceEntry): boolean {
  return entry.size <= PIECE_BYTES && !isPackageMetadata(entry.path) && fileExtension(entry.path) !== 'onnx';
}

/** Groups files into worker batches of up to 128 files or 2 MiB, so each message carries real work. */
function workerBatches(entries: readonly SourceEntry[]): SourceEntry[][] {
  const out: SourceEntry[][] = [];
  let batch: SourceEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    if (batch.length >= 128 || (bytes + e.size > 2 * 1024 * 1024 && batch.length > 0)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(e);
    bytes += e.size;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

async function readStreamHead(content: EntryContent): Promise<HeaderFacts> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of content.chunks()) {
    parts.push(c);
    n += c.length;
    if (n >= STREAM_HEAD) break;
  }
  const head = Buffer.concat(parts);
  return readHeaderFacts(head, async (o, l) => head.subarray(o, o + l));
}

function symlinkWarning(source: BundleSource, links: string[]): string[] {
  if (links.length === 0) return [];
  const examples = links.slice(0, 3).join(', ');
  return [
    `${source.path}: ${links.length} symlink${links.length === 1 ? '' : 's'} inside the bundle (${examples}${links.length > 3 ? ', …' : ''}); Lambda zips should not rely on symlinks (layer conversion rejects them and not every packager keeps them), so replace them with copies or remove them.`,
  ];
}
