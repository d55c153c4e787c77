import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ArchiveLimits } from '../archive/archive-limits.js';
import { materializeBundle } from '../archive/materialize-bundle.js';
import { openBundleSource } from '../archive/open-bundle-source.js';
import { InputError } from '../errors.js';
import type { OperationOptions } from '../progress.js';
import { registerForCleanup } from './cleanup-reaper.js';

/** A bundle as a folder the sandbox can mount. */
export interface PreparedBundle {
  /** Folder holding the bundle (the input itself, or an extraction of an archive). */
  dir: string;
  /** True when `dir` is a temporary extraction, removed by `release`. */
  extracted: boolean;
  /** Removes the extraction, if any. */
  release(): Promise<void>;
}

/**
 * Turns the `path` argument into a folder: a folder is used in place (read-only in the sandbox,
 * never modified); a `.zip` or `.tar.gz` is validated and extracted into a private staging
 * folder, keeping its permission bits, so a file stored with mode 0600 fails as on Lambda.
 */
export async function prepareBundle(path: string, options: OperationOptions & { limits?: Partial<ArchiveLimits> } = {}): Promise<PreparedBundle> {
  const abs = resolve(path);
  const st = await stat(abs).catch(() => undefined);
  if (!st) throw new InputError(`${abs}: no such file or folder; pass a bundle folder, a .zip or a .tar.gz.`, 'E_INPUT_NOT_FOUND');
  if (st.isDirectory()) return { dir: abs, extracted: false, release: async () => undefined };
  const dest = join(tmpdir(), 'lambdafit-sandbox', `bundle-${process.pid}-${randomBytes(6).toString('hex')}`);
  registerForCleanup('dir', dest);
  const source = await openBundleSource(abs, options.limits ? { limits: options.limits } : {});
  try {
    options.onProgress?.({ type: 'phase', phase: 'extract', message: `Extracting ${abs}…` });
    await materializeBundle(source, dest, { signal: options.signal });
  } catch (err) {
    await rm(dest, { recursive: true, force: true });
    throw err;
  } finally {
    await source.close();
  }
  return { dir: dest, extracted: true, release: () => rm(dest, { recursive: true, force: true }) };
}
