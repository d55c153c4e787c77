/** The Python import root a folder belongs to. */
export interface PythonFolderLocation {
  /** The root folder with a trailing slash (`…/site-packages/`, `python/`), or `''` for the tree root. */
  root: string;
  /** The folder below the root, `''` for the root itself. */
  innerDir: string;
}

/** Where a file sits inside a Python import root. */
export interface PythonLocation extends PythonFolderLocation {
  /** The path from the root, e.g. `numpy/core/_multiarray_umath.so`. */
  inner: string;
  /** The importable top-level name: the first folder, or a root-level module's name without suffixes (`six.py` → `six`). */
  topLevel: string;
}

const SITE_DIRS = ['site-packages', 'dist-packages'];

/**
 * The Python roots of one tree that cannot be recognised from a single path: the tree root of a
 * Python function (`pip install -t .`) and a layer's `python/` folder. Either counts when it
 * directly holds a `*.dist-info`/`*.egg-info` folder, or a `.py` module or `__init__.py` package
 * and no `package.json` (a Node function with a stray script is not a Python tree).
 * `site-packages` folders need no detection: `locatePythonFolder` finds them in the path.
 */
export function findPythonRoots(paths: Iterable<string>): string[] {
  const candidates = ['python/', ''];
  const seen = candidates.map(() => ({ metadata: false, module: false, packageJson: false }));
  for (const path of paths) {
    // Plain index arithmetic, no slicing: this runs for every path of the tree.
    inspect(path, 0, seen[1]!);
    if (path.startsWith('python/')) inspect(path, 7, seen[0]!);
  }
  return candidates.filter((_, i) => seen[i]!.metadata || (seen[i]!.module && !seen[i]!.packageJson));
}

function inspect(path: string, from: number, flags: { metadata: boolean; module: boolean; packageJson: boolean }): void {
  const slash = path.indexOf('/', from);
  if (slash < 0) {
    if (path.endsWith('.py')) flags.module = true;
    else if (path.length - from === 12 && path.endsWith('package.json')) flags.packageJson = true;
  } else if (endsAt(path, slash, '.dist-info') || endsAt(path, slash, '.egg-info')) flags.metadata = true;
  else if (path.indexOf('/', slash + 1) < 0 && path.endsWith('/__init__.py')) flags.module = true;
}

function endsAt(path: string, end: number, suffix: string): boolean {
  return end >= suffix.length && path.startsWith(suffix, end - suffix.length);
}

/**
 * Finds the Python root of a folder: the deepest `site-packages`/`dist-packages` in its path,
 * else the first of `roots` (from `findPythonRoots`, deepest first) it is in. Folders that pass
 * through a `node_modules` below the root hold no Python files.
 */
export function locatePythonFolder(dir: string, roots: readonly string[]): PythonFolderLocation | undefined {
  // Most folders of a Node bundle: no Python root at all, decided without splitting the path.
  if (roots.length === 0 && !dir.includes('-packages')) return undefined;
  const segments = dir === '' ? [] : dir.split('/');
  let at = -1;
  for (const name of SITE_DIRS) at = Math.max(at, segments.lastIndexOf(name));
  let root: string;
  let inner: string[];
  if (at >= 0) {
    root = `${segments.slice(0, at + 1).join('/')}/`;
    inner = segments.slice(at + 1);
  } else {
    const found = roots.find((r) => r === '' || `${dir}/`.startsWith(r));
    if (found === undefined) return undefined;
    root = found;
    inner = found === '' ? segments : segments.slice(found.split('/').length - 1);
  }
  if (inner.includes('node_modules')) return undefined;
  return { root, innerDir: inner.join('/') };
}

/** Finds the Python root of a file (see `locatePythonFolder`) and its top-level import name. */
export function locatePython(path: string, roots: readonly string[]): PythonLocation | undefined {
  const slash = path.lastIndexOf('/');
  const folder = locatePythonFolder(slash < 0 ? '' : path.slice(0, slash), roots);
  return folder ? pythonLocation(folder, path.slice(slash + 1)) : undefined;
}

/** Completes a folder location with the file's base name. */
export function pythonLocation(folder: PythonFolderLocation, base: string): PythonLocation {
  const { innerDir } = folder;
  return { ...folder, inner: innerDir ? `${innerDir}/${base}` : base, topLevel: pythonTopLevel(folder, base) };
}

/**
 * The importable top-level name of a file in a Python root: the first folder below the root, or
 * for a file directly in the root its name without suffixes (`six.py` → `six`). Only the latter
 * reads `base`, so a folder's name can be found once for all its files.
 */
export function pythonTopLevel(folder: PythonFolderLocation, base: string): string {
  const { innerDir } = folder;
  if (innerDir) {
    const slash = innerDir.indexOf('/');
    return slash < 0 ? innerDir : innerDir.slice(0, slash);
  }
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
