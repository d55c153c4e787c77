import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { ArchiveLimits } from './archive-limits.js';
import type { BundleSource } from './bundle-source.js';
import { openFolderSource } from './open-folder-source.js';
import { openTarGzSource } from './open-tar-gz-source.js';
import { openZipSource } from './open-zip-source.js';

/** Options of `openBundleSource`. */
export interface OpenBundleSourceOptions {
  /** Decompression-bomb caps for archives (defaults in `DEFAULT_ARCHIVE_LIMITS`). */
  limits?: Partial<ArchiveLimits>;
  /** Folder sources: called while the tree is walked, with running file and byte counts. */
  onWalk?: (files: number, bytes: number) => void;
}

/**
 * Opens a folder, a `.zip` or a `.tar.gz`/`.tgz` as a BundleSource. The type is decided by the
 * file's first bytes (`PK` or gzip magic), not by its name, so a mis-named archive still opens.
 */
export async function openBundleSource(path: string, options: OpenBundleSourceOptions = {}): Promise<BundleSource> {
  const abs = resolve(path);
  let st;
  try {
    st = statSync(abs);
  } catch (err) {
    throw new InputError(`${abs}: no such file or folder; pass a bundle folder, a .zip or a .tar.gz.`, 'E_INPUT_NOT_FOUND', { cause: err });
  }
  if (st.isDirectory()) return openFolderSource(abs, { onBatch: options.onWalk });
  const magic = Buffer.alloc(4);
  try {
    const fd = openSync(abs, 'r');
    try {
      readSync(fd, magic, 0, 4, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new InputError(`${abs}: cannot read it (${(err as NodeJS.ErrnoException).code}); check its permissions.`, 'E_INPUT_UNREADABLE', { cause: err });
  }
  if (magic[0] === 0x1f && magic[1] === 0x8b) return openTarGzSource(abs, { limits: options.limits });
  if (magic[0] === 0x50 && magic[1] === 0x4b) return openZipSource(abs, { limits: options.limits });
  if (/\.zip$/i.test(abs)) return openZipSource(abs, { limits: options.limits }); // empty or damaged zips get the zip reader's message
  if (/\.(tar\.gz|tgz)$/i.test(abs)) return openTarGzSource(abs, { limits: options.limits });
  throw new InputError(`${abs}: not a folder, a zip or a gzip-compressed tar; pass one of those as the bundle.`, 'E_INPUT_TYPE');
}
