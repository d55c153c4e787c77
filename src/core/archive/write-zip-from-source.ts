import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundleSource, SourceEntry } from './bundle-source.js';
import { materializeBundle } from './materialize-bundle.js';
import { openFolderSource } from './open-folder-source.js';
import { writeZip, type WriteZipOptions, type WriteZipResult } from './write-zip.js';

/** Options of `writeZipFromSource`. */
export interface WriteZipFromSourceOptions extends WriteZipOptions {
  /** Keeps only the entries it returns true for (their parent directories come along). */
  filter?: (entry: SourceEntry) => boolean;
}

/**
 * Writes a bundle source (folder, zip or tar.gz) as a lambdafit zip. Folders and zips are read in
 * place; a tar.gz can only be read front to back, and an incompressible big file must be read
 * twice, so it is first extracted to a temporary folder (removed afterwards).
 */
export async function writeZipFromSource(source: BundleSource, outPath: string, options: WriteZipFromSourceOptions = {}): Promise<WriteZipResult> {
  if (!source.randomAccess) {
    const tmp = await mkdtemp(join(tmpdir(), 'lambdafit-zip-'));
    try {
      const staged = join(tmp, 'tree');
      await materializeBundle(source, staged, { filter: options.filter, signal: options.signal });
      const folder = await openFolderSource(staged);
      return await writeZipFromSource(folder, outPath, { ...options, filter: undefined });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  const keep = options.filter ?? (() => true);
  const entries = (await source.entries({ signal: options.signal })).filter(keep);
  return writeZip(
    entries.map((e) => ({
      path: e.path,
      type: e.type,
      mode: e.mode,
      size: e.size,
      linkTarget: e.linkTarget,
      readAll: () => source.readFile(e),
      chunks: () => source.readChunks(e),
    })),
    outPath,
    options,
  );
}
