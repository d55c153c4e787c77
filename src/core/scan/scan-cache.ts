import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageVersion } from '../package-root.js';
import type { HeaderFacts } from './classify-file.js';
import type { TreeIndex } from './bundle-index.js';

/**
 * The scan's on-disk cache, in `<cacheDir>/scan/`:
 * - `deflate-<zlib version>.json`: content sha256 → bytes the data takes in a lambdafit zip.
 *   Keyed by content, so it is shared by every tree and layer; the zlib version is in the name
 *   because another zlib may compress differently.
 * - `tree-<path hash>.json`: for a folder, per file path its size, mtime, ctime and inode with the
 *   hash and header facts last seen, so an unchanged tree is not even re-read.
 * - `archive-<path hash>.json`: for a zip or tar.gz, the whole TreeIndex, valid while the
 *   archive's own size, mtime, ctime and inode are unchanged.
 * Every file is written atomically (temp + rename); a missing, corrupt or foreign-version file is
 * ignored and rebuilt.
 */

/** What the cache remembers about one folder file. */
export interface CachedFile {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  hash: string;
  facts: HeaderFacts;
}

/** The identity of an archive file at scan time. */
export type ArchiveStamp = [size: number, mtimeMs: number, ctimeMs: number, ino: number];

// Bumped whenever the deflate engine or the entry layout changes: old sizes would be wrong.
const FORMAT = 2;
const MAX_DEFLATE_ENTRIES = 2_000_000;

function keyOf(path: string): string {
  return createHash('sha256').update(path).digest('hex').slice(0, 24);
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const data = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    if (data.format !== FORMAT || data.lambdafit !== packageVersion()) return undefined;
    return data;
  } catch {
    return undefined;
  }
}

async function writeJsonAtomic(path: string, data: Record<string, unknown>): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, JSON.stringify({ format: FORMAT, lambdafit: packageVersion(), ...data }));
    await rename(tmp, path);
  } catch {
    await unlink(tmp).catch(() => {}); // a cache that cannot be written only costs speed
  }
}

/** A loaded scan cache; `ScanCache.disabled()` remembers nothing. */
export class ScanCache {
  private deflatedDirty = false;
  private constructor(
    private readonly dir: string | undefined,
    private readonly deflated: Map<string, number>,
  ) {}

  /** Loads the content cache from `cacheDir` (or returns a disabled cache for `false`). */
  static async load(cacheDir: string | false): Promise<ScanCache> {
    if (cacheDir === false) return ScanCache.disabled();
    const dir = join(cacheDir, 'scan');
    const data = await readJson(join(dir, `deflate-${process.versions.zlib}.json`));
    const map = new Map<string, number>();
    const sizes = data?.sizes;
    if (sizes && typeof sizes === 'object') {
      for (const [k, v] of Object.entries(sizes as Record<string, unknown>)) if (typeof v === 'number') map.set(k, v);
    }
    return new ScanCache(dir, map);
  }

  /** A cache that never hits and never writes. */
  static disabled(): ScanCache {
    return new ScanCache(undefined, new Map());
  }

  /** Bytes a content hash takes in a zip, if known. */
  zipDataBytes(hash: string): number | undefined {
    return this.deflated.get(hash);
  }

  /** Remembers the zip data size of a content hash. */
  rememberZipDataBytes(hash: string, bytes: number): void {
    if (!this.dir || this.deflated.get(hash) === bytes) return;
    this.deflated.set(hash, bytes);
    this.deflatedDirty = true;
  }

  /** The per-file cache of a folder (empty when absent or unreadable). */
  async loadFolder(root: string): Promise<Map<string, CachedFile>> {
    const out = new Map<string, CachedFile>();
    if (!this.dir) return out;
    const data = await readJson(join(this.dir, `tree-${keyOf(root)}.json`));
    if (!data || data.root !== root || typeof data.files !== 'object' || data.files === null) return out;
    for (const [path, v] of Object.entries(data.files as Record<string, unknown>)) {
      if (!Array.isArray(v) || v.length !== 6) continue;
      const [size, mtimeMs, ctimeMs, ino, hash, facts] = v as [number, number, number, number, string, HeaderFacts];
      if (typeof hash !== 'string' || typeof size !== 'number') continue;
      out.set(path, { size, mtimeMs, ctimeMs, ino, hash, facts: facts ?? {} });
    }
    return out;
  }

  /** Replaces the per-file cache of a folder. */
  async saveFolder(root: string, files: ReadonlyMap<string, CachedFile>): Promise<void> {
    if (!this.dir) return;
    await mkdir(this.dir, { recursive: true });
    const obj: Record<string, unknown[]> = {};
    for (const [p, f] of files) obj[p] = [f.size, f.mtimeMs, f.ctimeMs, f.ino, f.hash, f.facts];
    await writeJsonAtomic(join(this.dir, `tree-${keyOf(root)}.json`), { root, files: obj });
  }

  /** A cached archive scan, if the archive is unchanged. */
  async loadArchive(path: string, stamp: ArchiveStamp): Promise<{ tree: TreeIndex; warnings: string[] } | undefined> {
    if (!this.dir) return undefined;
    const data = await readJson(join(this.dir, `archive-${keyOf(path)}.json`));
    if (!data || data.path !== path || JSON.stringify(data.stamp) !== JSON.stringify(stamp)) return undefined;
    return { tree: data.tree as TreeIndex, warnings: (data.warnings as string[]) ?? [] };
  }

  /** Remembers an archive scan. */
  async saveArchive(path: string, stamp: ArchiveStamp, tree: TreeIndex, warnings: string[]): Promise<void> {
    if (!this.dir) return;
    await mkdir(this.dir, { recursive: true });
    await writeJsonAtomic(join(this.dir, `archive-${keyOf(path)}.json`), { path, stamp, tree, warnings });
  }

  /** Writes the content cache if it changed. */
  async flush(): Promise<void> {
    if (!this.dir || !this.deflatedDirty) return;
    await mkdir(this.dir, { recursive: true });
    // Merge with what another process may have written since we loaded; ours win.
    const onDisk = await ScanCache.load(join(this.dir, '..'));
    for (const [k, v] of this.deflated) onDisk.deflated.set(k, v);
    // Past the cap, start over rather than grow without bound.
    const entries = onDisk.deflated.size > MAX_DEFLATE_ENTRIES ? [...this.deflated] : [...onDisk.deflated];
    await writeJsonAtomic(join(this.dir, `deflate-${process.versions.zlib}.json`), { sizes: Object.fromEntries(entries) });
    this.deflatedDirty = false;
  }
}
