import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
 *   hash, zip data size and header facts last seen, so an unchanged tree is not even re-read.
 *   Stored column-wise (paths, one flat number array, the hashes as one string) because parsing
 *   that is several times faster than an object per file, and a re-scan is mostly this parse.
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
  /** Bytes the content takes in a lambdafit zip, when known. */
  zipBytes?: number;
}

/** The identity of an archive file at scan time. */
export type ArchiveStamp = [size: number, mtimeMs: number, ctimeMs: number, ino: number];

// Bumped whenever the deflate engine or the entry layout changes: old sizes would be wrong.
const FORMAT = 4;
/** Numbers stored per file in a tree cache: size, mtimeMs, ctimeMs, ino, zip data bytes (-1: unknown). */
const NUMS = 5;
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

function readJsonSync(path: string): Record<string, unknown> | undefined {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    return data.format === FORMAT && data.lambdafit === packageVersion() ? data : undefined;
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
  private deflatedLoaded: Map<string, number> | undefined;
  private constructor(private readonly dir: string | undefined) {}

  /**
   * Opens the cache in `cacheDir` (or a disabled cache for `false`). Nothing is read yet: the
   * content map loads on first use, which an unchanged folder never needs.
   */
  static async load(cacheDir: string | false): Promise<ScanCache> {
    return cacheDir === false ? ScanCache.disabled() : new ScanCache(join(cacheDir, 'scan'));
  }

  /** A cache that never hits and never writes. */
  static disabled(): ScanCache {
    return new ScanCache(undefined);
  }

  private get deflated(): Map<string, number> {
    if (!this.deflatedLoaded) {
      this.deflatedLoaded = new Map();
      if (this.dir) {
        const sizes = readJsonSync(join(this.dir, `deflate-${process.versions.zlib}.json`))?.sizes;
        if (sizes && typeof sizes === 'object') {
          for (const [k, v] of Object.entries(sizes as Record<string, unknown>)) if (typeof v === 'number') this.deflatedLoaded.set(k, v);
        }
      }
    }
    return this.deflatedLoaded;
  }

  /** Bytes a content hash takes in a zip, if known. */
  zipDataBytes(hash: string): number | undefined {
    return this.dir ? this.deflated.get(hash) : undefined;
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
    if (!data || data.root !== root) return out;
    const { paths, nums, hashes, facts } = data as { paths?: unknown; nums?: unknown; hashes?: unknown; facts?: unknown };
    if (!Array.isArray(paths) || !Array.isArray(nums) || typeof hashes !== 'string' || nums.length !== paths.length * NUMS || hashes.length !== paths.length * 64) return out;
    const factsOf = (facts ?? {}) as Record<string, HeaderFacts>;
    for (let i = 0; i < paths.length; i++) {
      const n = i * NUMS;
      const zipBytes = nums[n + 4] as number;
      out.set(paths[i] as string, {
        size: nums[n] as number,
        mtimeMs: nums[n + 1] as number,
        ctimeMs: nums[n + 2] as number,
        ino: nums[n + 3] as number,
        hash: hashes.slice(i * 64, i * 64 + 64),
        facts: factsOf[i] ?? {},
        ...(zipBytes >= 0 ? { zipBytes } : {}),
      });
    }
    return out;
  }

  /** Replaces the per-file cache of a folder. */
  async saveFolder(root: string, files: ReadonlyMap<string, CachedFile>): Promise<void> {
    if (!this.dir) return;
    await mkdir(this.dir, { recursive: true });
    const paths: string[] = [];
    const nums: number[] = [];
    const hashes: string[] = [];
    const facts: Record<number, HeaderFacts> = {};
    for (const [p, f] of files) {
      if (f.hash.length !== 64) continue;
      if (Object.keys(f.facts).length > 0) facts[paths.length] = f.facts;
      paths.push(p);
      nums.push(f.size, f.mtimeMs, f.ctimeMs, f.ino, f.zipBytes ?? -1);
      hashes.push(f.hash);
    }
    await writeJsonAtomic(join(this.dir, `tree-${keyOf(root)}.json`), { root, paths, nums, hashes: hashes.join(''), facts });
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
    const onDisk = new ScanCache(this.dir);
    for (const [k, v] of this.deflated) onDisk.deflated.set(k, v);
    // Past the cap, start over rather than grow without bound.
    const entries = onDisk.deflated.size > MAX_DEFLATE_ENTRIES ? [...this.deflated] : [...onDisk.deflated];
    await writeJsonAtomic(join(this.dir, `deflate-${process.versions.zlib}.json`), { sizes: Object.fromEntries(entries) });
    this.deflatedDirty = false;
  }
}
