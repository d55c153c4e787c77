/** The npm package a folder belongs to. */
export interface NpmFolderLocation {
  /** The package folder, e.g. `node_modules/@img/sharp-linux-x64`. */
  root: string;
  /** The package name, e.g. `@img/sharp-linux-x64`. */
  name: string;
  /** The folder inside the package, `''` for the package folder itself. */
  innerDir: string;
}

/** Where a file sits inside an npm package. */
export interface NpmPackageLocation extends NpmFolderLocation {
  /** The path inside the package, e.g. `lib/index.js`; never empty. */
  inner: string;
}

const NODE_MODULES = 'node_modules';

/**
 * Finds the npm package that owns a folder, from the path alone: the segment after the last
 * `node_modules` (two segments for `@scope/name`). Files directly in `node_modules`, in a scope
 * folder, or in dot folders (`.bin`, `.cache`, `.pnpm`) belong to no package, which is what keeps
 * package-scoped rules away from them.
 */
export function locateNpmFolder(dir: string): NpmFolderLocation | undefined {
  // String arithmetic rather than split/join: this runs once per folder of a 30,000-file tree.
  let at = dir.lastIndexOf(NODE_MODULES);
  while (at >= 0 && !isSegment(dir, at, NODE_MODULES.length)) at = at === 0 ? -1 : dir.lastIndexOf(NODE_MODULES, at - 1);
  if (at < 0) return undefined;
  const start = at + NODE_MODULES.length + 1;
  if (start >= dir.length || dir[start] === '.') return undefined;
  let end = dir.indexOf('/', start);
  if (dir[start] === '@') {
    if (end < 0) return undefined;
    end = dir.indexOf('/', end + 1);
  }
  if (end < 0) end = dir.length;
  return { root: dir.slice(0, end), name: dir.slice(start, end), innerDir: dir.slice(end + 1) };
}

/** Whether `dir.slice(at, at + length)` is a whole path segment. */
function isSegment(dir: string, at: number, length: number): boolean {
  return (at === 0 || dir[at - 1] === '/') && (at + length === dir.length || dir[at + length] === '/');
}

/** Finds the npm package that owns a file (see `locateNpmFolder`). */
export function locateNpmPackage(path: string): NpmPackageLocation | undefined {
  const slash = path.lastIndexOf('/');
  if (slash < 0) return undefined;
  const folder = locateNpmFolder(path.slice(0, slash));
  if (!folder) return undefined;
  const base = path.slice(slash + 1);
  return { ...folder, inner: folder.innerDir ? `${folder.innerDir}/${base}` : base };
}
