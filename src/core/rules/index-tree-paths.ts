import type { FileEntry } from '../scan/bundle-index.js';
import { locateNpmFolder, type NpmFolderLocation } from './locate-npm-package.js';
import { findPythonRoots, locatePythonFolder, type PythonFolderLocation } from './python-roots.js';

/**
 * Every file of a tree as a dense folder id and where its name starts, plus what each folder
 * settles once for all its files. Per-file facts live in typed arrays indexed like `files` rather
 * than in one object per file: a 55,000-file tree then costs two array writes per file and almost
 * no garbage. Names are not sliced out: most need only a look at their last characters.
 */
export interface TreePathIndex {
  /** The scanner's entries, in tree order; the per-file arrays below follow this order. */
  files: readonly FileEntry[];
  /** Per file: the id of its folder. */
  dirIds: Int32Array;
  /** Per file: the index in its path where its name starts (after the last `/`). */
  nameStarts: Int32Array;
  /** Number of folders (size of per-folder memo tables): those holding files and all their ancestors. */
  dirCount: number;
  /** Path of each folder id, `''` for the root. */
  dirs: string[];
  /**
   * Per folder id: the id of the folder that holds it, -1 for top-level folders and the root.
   * The root is nobody's parent: a zip has no entry for it.
   */
  parentDirIds: Int32Array;
  /** Number of files directly in each folder id. */
  filesPerDir: Uint32Array;
  /** Per folder id: the npm package owning the folder, if any. */
  npm: (NpmFolderLocation | undefined)[];
  /** Per folder id: the Python root holding the folder, if any. */
  python: (PythonFolderLocation | undefined)[];
}

/**
 * Splits every path into folder and name, numbers the distinct folders and locates each folder's
 * npm package and Python root once, however many files it holds. Folders that hold no file
 * directly but contain some (`node_modules`, `@scope`) get ids too, so zip arithmetic can walk up
 * the folder tree by id instead of slicing paths.
 */
export function indexTreePaths(files: readonly FileEntry[]): TreePathIndex {
  const dirIds = new Int32Array(files.length);
  const nameStarts = new Int32Array(files.length);
  const folderIds = new Map<string, number>();
  const dirs: string[] = [];
  const parents: number[] = [];

  const folderId = (dir: string): number => {
    let id = folderIds.get(dir);
    if (id !== undefined) return id;
    id = dirs.length;
    folderIds.set(dir, id);
    dirs.push(dir);
    parents.push(-1);
    const slash = dir.lastIndexOf('/');
    // Registers missing ancestors too, up to the first known one.
    if (slash > 0) parents[id] = folderId(dir.slice(0, slash));
    return id;
  };

  splitPaths(files, dirIds, nameStarts, folderId);
  const filesPerDir = new Uint32Array(dirs.length);
  for (let i = 0; i < dirIds.length; i++) filesPerDir[dirIds[i]!]!++;
  const roots = findPythonRoots(files.map((f) => f.path));
  const npm = dirs.map((dir) => locateNpmFolder(dir));
  const python = dirs.map((dir) => locatePythonFolder(dir, roots));
  return {
    files,
    dirIds,
    nameStarts,
    dirCount: dirs.length,
    dirs,
    parentDirIds: Int32Array.from(parents),
    filesPerDir,
    npm,
    python,
  };
}

/**
 * The per-file loop of `indexTreePaths`, alone in a function so that V8 optimizes it early: the
 * first call on a large tree runs mostly before slower-to-compile code would be ready.
 */
function splitPaths(files: readonly FileEntry[], dirIds: Int32Array, nameStarts: Int32Array, folderId: (dir: string) => number): void {
  let lastDir = '\0';
  let lastId = -1;
  for (let i = 0; i < files.length; i++) {
    const path = files[i]!.path;
    const slash = path.lastIndexOf('/');
    const dir = slash < 0 ? '' : path.slice(0, slash);
    // Scanners list a folder's files together: reuse the previous folder without hashing its path.
    // Comparing a slice is cheaper than `startsWith` in V8, and a long slice is no copy.
    if (dir !== lastDir) {
      lastDir = dir;
      lastId = folderId(dir);
    }
    dirIds[i] = lastId;
    nameStarts[i] = slash + 1;
  }
}
