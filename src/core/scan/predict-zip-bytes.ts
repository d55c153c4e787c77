import { planZipEntries } from '../archive/plan-zip-entries.js';
import { planZipLayout, ZIP32_MAX } from '../archive/zip-layout.js';
import type { FileEntry } from './bundle-index.js';

/**
 * The exact size of the zip `writeZip` writes for these files (plus empty directories kept as
 * entries): the same entry plan and byte layout as the writer, with each file's `compressedBytes`
 * (deflated or stored, from the scan) as its data. Symlinks store their target. Files without
 * `compressedBytes` count as stored. Pure; use it to re-predict after removing files.
 */
export function predictZipBytes(
  files: readonly Pick<FileEntry, 'path' | 'bytes' | 'compressedBytes' | 'symlinkTarget'>[],
  emptyDirectories: readonly string[] = [],
): number {
  const inputs = [
    ...files.map((f) => ({ path: f.path, type: f.symlinkTarget !== undefined ? ('symlink' as const) : ('file' as const), file: f })),
    ...emptyDirectories.map((d) => ({ path: d, type: 'dir' as const, file: undefined })),
  ];
  const layoutOf = (sort: boolean) =>
    planZipLayout(
      planZipEntries(inputs, { sort }).map((p) => {
      const f = p.input?.file;
      if (!f) return { name: p.name, uncompressedSize: 0, compressedSize: 0 };
      if (f.symlinkTarget !== undefined) {
        const n = Buffer.byteLength(f.symlinkTarget, 'utf8');
        return { name: p.name, uncompressedSize: n, compressedSize: n };
      }
      return { name: p.name, uncompressedSize: f.bytes, compressedSize: f.compressedBytes ?? f.bytes };
      }),
    );
  // Order changes the size only through offsets past 4 GiB (zip64 extras): below that, skip the sort.
  const unsorted = layoutOf(false);
  return unsorted.centralDirectoryOffset <= ZIP32_MAX ? unsorted.totalBytes : layoutOf(true).totalBytes;
}
