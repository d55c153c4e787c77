import type { FileEntry, FileKind, NativeInfo } from '../scan/bundle-index.js';
import { locateNpmFolder, type NpmFolderLocation } from './locate-npm-package.js';
import { findPythonRoots, locatePythonFolder, pythonLocation, type PythonLocation } from './python-roots.js';

/** A file with the facts every rule needs, computed once per tree. */
export interface IndexedPath {
  /** The scanner's entry. */
  file: FileEntry;
  /**
   * `file.bytes`, `file.kind`, `file.native` and `file.package`, copied: scanner entries come in
   * many shapes (optional fields), so reading them in the hot loop would be megamorphic; these
   * objects all share one shape.
   */
  bytes: number;
  kind: FileKind;
  native: NativeInfo | undefined;
  package: string | undefined;
  /** Folder part of the path, `''` at the root. */
  dir: string;
  /** File name. */
  base: string;
  /** Dense id of `dir`, for per-folder memo tables. */
  dirId: number;
  /** Dense id of `base`, for per-name memo tables. */
  baseId: number;
  /** The npm package owning the file, if any. */
  npm: NpmFolderLocation | undefined;
  /** The Python root holding the file, if any. */
  python: PythonLocation | undefined;
}

/** Every file of a tree, indexed, plus how many distinct folders and names there are. */
export interface TreePathIndex {
  /** One entry per file, in tree order. */
  entries: IndexedPath[];
  /** Number of distinct folders (size of per-folder memo tables). */
  dirCount: number;
  /** Number of distinct file names (size of per-name memo tables). */
  baseCount: number;
  /** Folder path of each dir id. */
  dirs: string[];
  /** Number of files directly in each dir id. */
  filesPerDir: Uint32Array;
}

interface FolderFacts {
  id: number;
  npm: NpmFolderLocation | undefined;
  python: ReturnType<typeof locatePythonFolder>;
}

/**
 * Splits every path into folder and name, numbers the distinct ones and locates each folder's
 * npm package and Python root once, however many files it holds.
 */
export function indexTreePaths(files: readonly FileEntry[]): TreePathIndex {
  const roots = findPythonRoots(files.map((f) => f.path));
  const folders = new Map<string, FolderFacts>();
  const names = new Map<string, number>();
  let lastDir = '\0';
  let folder: FolderFacts | undefined;
  const entries = files.map((file): IndexedPath => {
    const slash = file.path.lastIndexOf('/');
    // Scanners list a folder's files together: reuse the previous folder without hashing the path.
    const dir = slash === lastDir.length && file.path.startsWith(lastDir) ? lastDir : slash < 0 ? '' : file.path.slice(0, slash);
    const base = file.path.slice(slash + 1);
    if (dir !== lastDir || !folder) {
      folder = folders.get(dir);
      if (!folder) {
        folder = { id: folders.size, npm: locateNpmFolder(dir), python: locatePythonFolder(dir, roots) };
        folders.set(dir, folder);
      }
      lastDir = dir;
    }
    let baseId = names.get(base);
    if (baseId === undefined) names.set(base, (baseId = names.size));
    return {
      file,
      bytes: file.bytes,
      kind: file.kind,
      native: file.native,
      package: file.package,
      dir,
      base,
      dirId: folder.id,
      baseId,
      npm: folder.npm,
      python: folder.python && pythonLocation(folder.python, base),
    };
  });
  const filesPerDir = new Uint32Array(folders.size);
  for (const entry of entries) filesPerDir[entry.dirId]!++;
  return { entries, dirCount: folders.size, baseCount: names.size, dirs: [...folders.keys()], filesPerDir };
}
