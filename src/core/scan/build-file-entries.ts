import { posix } from 'node:path';
import type { SourceEntry } from '../archive/bundle-source.js';
import type { FileEntry } from './bundle-index.js';
import { classifyFile, type HeaderFacts } from './classify-file.js';
import { npmPackageOf } from './npm-package-of.js';
import { pythonOwners } from './python-owners.js';

/** What the scan measured for one file or symlink. */
export interface MeasuredFile {
  entry: SourceEntry;
  /** Header facts (empty when the extension needed no header read). */
  facts: HeaderFacts;
  hash?: string;
  /** Bytes its data takes in a lambdafit zip. */
  zipBytes?: number;
}

/**
 * Turns measured files into FileEntries: kind (from path and header facts), owning package (npm
 * first, then Python distributions), and external data of ONNX models (`refs`: model path → file
 * names it references, relative to its folder) re-kinded as `model`/`onnx-external-data`.
 * Symlinks take their kind from their target's name. Pure; keeps the input order.
 */
export function buildFileEntries(
  measured: readonly MeasuredFile[],
  metadata: ReadonlyMap<string, string>,
  refs: ReadonlyMap<string, readonly string[]>,
): FileEntry[] {
  const externalData = new Map<string, string>();
  for (const [model, names] of refs) {
    const dir = posix.dirname(model);
    for (const n of names) externalData.set(posix.normalize(dir === '.' ? n : `${dir}/${n}`), model);
  }
  const python = pythonOwners(
    measured.map((m) => m.entry.path),
    metadata,
  );
  // The npm owner depends only on the folder: one answer per folder, not per file. Files come
  // in path order, so a folder's files are adjacent: compare with the last folder before hashing
  // (slice-and-compare: V8's startsWith costs twice as much).
  const byDir = new Map<string, string | undefined>();
  let lastDir = '\0';
  let lastOwner: string | undefined;
  const ownerOf = (path: string): string | undefined => {
    const end = path.lastIndexOf('/') + 1;
    const dir = path.slice(0, end);
    if (dir === lastDir) return lastOwner;
    lastDir = dir;
    if (byDir.has(dir)) return (lastOwner = byDir.get(dir));
    lastOwner = npmPackageOf(`${dir}x`);
    byDir.set(dir, lastOwner);
    return lastOwner;
  };
  return measured.map((m) => {
    const { entry } = m;
    const isLink = entry.type === 'symlink';
    const target = isLink ? posix.normalize(posix.join(posix.dirname(entry.path), entry.linkTarget ?? '')) : entry.path;
    const c = classifyFile(target, isLink ? undefined : m.facts);
    const fe: FileEntry = { path: entry.path, bytes: isLink ? 0 : entry.size, kind: c.kind, mode: entry.mode };
    // Most trees have no external data: skip hashing every path for an empty map.
    const referencedBy = isLink || externalData.size === 0 ? undefined : externalData.get(entry.path);
    if (referencedBy && c.kind !== 'native') {
      fe.kind = 'model';
      fe.model = { format: 'onnx-external-data' };
    } else if (c.model) fe.model = c.model;
    if (c.native) fe.native = c.native;
    const npm = ownerOf(entry.path);
    const py = npm ? undefined : python(entry.path);
    if (npm) (fe.package = npm), (fe.ecosystem = 'npm');
    else if (py) (fe.package = py), (fe.ecosystem = 'python');
    if (isLink) {
      fe.symlinkTarget = entry.linkTarget ?? '';
      fe.compressedBytes = Buffer.byteLength(fe.symlinkTarget, 'utf8');
    } else {
      if (m.hash) fe.hash = m.hash;
      if (m.zipBytes !== undefined) fe.compressedBytes = m.zipBytes;
    }
    return fe;
  });
}

/** Directories that contain no file or symlink at any depth (kept as zip entries). Pure. */
export function emptyDirectoriesOf(entries: readonly SourceEntry[]): string[] {
  const used = new Set<string>();
  // Sorted entries list a folder's files together: the next file of the same folder adds nothing.
  let lastDir = '\0';
  for (const e of entries) {
    if (e.type === 'dir') continue;
    const slash = e.path.lastIndexOf('/');
    if (slash === lastDir.length && e.path.slice(0, slash) === lastDir) continue;
    lastDir = slash > 0 ? e.path.slice(0, slash) : '\0';
    for (let i = slash; i > 0; i = e.path.lastIndexOf('/', i - 1)) {
      const d = e.path.slice(0, i);
      if (used.has(d)) break;
      used.add(d);
    }
  }
  return entries.filter((e) => e.type === 'dir' && !used.has(e.path)).map((e) => e.path);
}
