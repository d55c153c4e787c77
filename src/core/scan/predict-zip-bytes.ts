import { planZipEntries } from '../archive/plan-zip-entries.js';
import { centralHeaderBytes, endRecordsBytes, localHeaderBytes, nameBytes, planZipLayout, ZIP32_MAX } from '../archive/zip-layout.js';
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
  // Order changes the size only through offsets past 4 GiB (zip64 extras): below that, a sum.
  const unordered = unorderedZipBytes(files, emptyDirectories);
  if (unordered !== undefined) return unordered;
  const inputs = [
    ...files.map((f) => ({ path: f.path, type: f.symlinkTarget !== undefined ? ('symlink' as const) : ('file' as const), file: f })),
    ...emptyDirectories.map((d) => ({ path: d, type: 'dir' as const, file: undefined })),
  ];
  const layout = planZipLayout(
    planZipEntries(inputs).map((p) => {
      const f = p.input?.file;
      if (!f) return { name: p.name, uncompressedSize: 0, compressedSize: 0 };
      if (f.symlinkTarget !== undefined) {
        const n = Buffer.byteLength(f.symlinkTarget, 'utf8');
        return { name: p.name, uncompressedSize: n, compressedSize: n };
      }
      return { name: p.name, uncompressedSize: f.bytes, compressedSize: f.compressedBytes ?? f.bytes };
    }),
  );
  return layout.totalBytes;
}

/**
 * The same total as the writer's layout, summed without planning an order: every name once (the
 * files, symlinks and empty directories, and every parent directory of each), no offsets. Exact
 * while all local data stays below 4 GiB (no offset needs zip64); undefined beyond.
 */
function unorderedZipBytes(
  files: readonly Pick<FileEntry, 'path' | 'bytes' | 'compressedBytes' | 'symlinkTarget'>[],
  emptyDirectories: readonly string[],
): number | undefined {
  const names = new Set<string>();
  let local = 0;
  let central = 0;
  const add = (name: string, uncompressed: number, compressed: number): void => {
    const n = nameBytes(name);
    local += localHeaderBytes(n, uncompressed) + compressed;
    central += centralHeaderBytes(n, uncompressed, compressed, 0);
  };
  const addParents = (path: string): void => {
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      const dir = `${path.slice(0, i)}/`;
      if (names.has(dir)) break; // its own parents came with it
      names.add(dir);
      add(dir, 0, 0);
    }
  };
  for (const f of files) {
    if (names.has(f.path)) continue;
    names.add(f.path);
    if (f.symlinkTarget !== undefined) {
      const n = Buffer.byteLength(f.symlinkTarget, 'utf8');
      add(f.path, n, n);
    } else add(f.path, f.bytes, f.compressedBytes ?? f.bytes);
    addParents(f.path);
  }
  for (const d of emptyDirectories) {
    const name = `${d}/`;
    if (!names.has(name)) {
      names.add(name);
      add(name, 0, 0);
    }
    addParents(d);
  }
  if (local > ZIP32_MAX) return undefined;
  return local + central + endRecordsBytes(names.size, local, central);
}
