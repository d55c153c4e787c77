import type { ArchiveLimits } from '../archive/archive-limits.js';
import type { OperationOptions } from '../progress.js';
import type { BundleListing } from './bundle-index.js';
import { ProgressThrottle } from './progress-throttle.js';
import { ScanCache } from './scan-cache.js';
import { scanTree } from './scan-tree.js';

/** Options of `listBundle`. */
export interface ListBundleOptions extends OperationOptions {
  /** The function code: a folder, a .zip or a .tar.gz. */
  path: string;
  /** Layers, each a folder or archive laid out as it is mounted under `/opt`. */
  layers?: string[];
  /** Decompression-bomb caps for archives. */
  limits?: Partial<ArchiveLimits>;
  /** Files inspected at once per tree. Default 8. */
  concurrency?: number;
}

/**
 * The fast path of the scan: lists and classifies every file (kind, owner, native binary facts)
 * without hashing or compressing anything. Only files whose extension is not obviously text are
 * opened, for their first 4 KB (plus a few KB of an ELF's dynamic section). Emits `scan:walk`.
 */
export async function listBundle(options: ListBundleOptions): Promise<BundleListing> {
  const progress = new ProgressThrottle(options.onProgress);
  const cache = ScanCache.disabled();
  const listOne = (path: string) =>
    scanTree(path, { hash: false, compress: false, cache, limits: options.limits, concurrency: options.concurrency, progress, signal: options.signal });
  const code = await listOne(options.path);
  const layers = [];
  for (const layer of options.layers ?? []) layers.push(await listOne(layer));
  return {
    code: code.tree,
    layers: layers.map((l) => l.tree),
    warnings: [...code.warnings, ...layers.flatMap((l) => l.warnings)],
  };
}
