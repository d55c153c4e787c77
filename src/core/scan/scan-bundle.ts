import type { ArchiveLimits } from '../archive/archive-limits.js';
import type { OperationOptions } from '../progress.js';
import type { BundleIndex, TreeIndex } from './bundle-index.js';
import { defaultCacheDir } from './default-cache-dir.js';
import { findDuplicates } from './find-duplicates.js';
import { ProgressThrottle } from './progress-throttle.js';
import { ScanCache } from './scan-cache.js';
import { scanTree } from './scan-tree.js';

/** Options of `scanBundle`. */
export interface ScanBundleOptions extends OperationOptions {
  /** The function code: a folder, a .zip or a .tar.gz. */
  path: string;
  /** Layers, each a folder or archive laid out as it is mounted under `/opt`. */
  layers?: string[];
  /** Cache folder; `false` disables the cache. Default: `defaultCacheDir()`. */
  cacheDir?: string | false;
  /** Decompression-bomb caps for archives. */
  limits?: Partial<ArchiveLimits>;
  /** Files processed at once per tree. Default 8. */
  concurrency?: number;
  /** Minimum milliseconds between two progress events of one type. Default 100. */
  progressIntervalMs?: number;
}

/**
 * Scans a bundle and its layers: every file with its size, kind, owning package, sha256, the
 * bytes it takes in a lambdafit zip and native-binary facts; each tree's exact `zippedBytes`;
 * duplicate files across all trees; warnings. Reports `scan:walk`, `scan:compress` and
 * `scan:done` progress (throttled) and stops between files when `signal` fires.
 */
export async function scanBundle(options: ScanBundleOptions): Promise<BundleIndex> {
  const started = Date.now();
  const progress = new ProgressThrottle(options.onProgress, options.progressIntervalMs);
  const cache = await ScanCache.load(options.cacheDir ?? defaultCacheDir());
  const scanOne = (path: string) =>
    scanTree(path, {
      hash: true,
      compress: true,
      cache,
      limits: options.limits,
      concurrency: options.concurrency,
      progress,
      signal: options.signal,
    });
  const code = await scanOne(options.path);
  const layers: { tree: TreeIndex; warnings: string[] }[] = [];
  for (const layer of options.layers ?? []) layers.push((await scanOne(layer)) as { tree: TreeIndex; warnings: string[] });
  await cache.flush();
  const codeTree = code.tree as TreeIndex;
  const all = [codeTree, ...layers.map((l) => l.tree)];
  const index: BundleIndex = {
    code: codeTree,
    layers: layers.map((l) => l.tree),
    duplicates: findDuplicates([{ prefix: '', files: codeTree.files }, ...layers.map((l) => ({ prefix: '/opt/', files: l.tree.files }))]),
    warnings: [...code.warnings, ...layers.flatMap((l) => l.warnings)],
  };
  options.onProgress?.({
    type: 'scan:done',
    files: all.reduce((n, t) => n + t.files.length, 0),
    unzippedBytes: all.reduce((n, t) => n + t.unzippedBytes, 0),
    zippedBytes: all.reduce((n, t) => n + t.zippedBytes, 0),
    ms: Date.now() - started,
  });
  return index;
}
