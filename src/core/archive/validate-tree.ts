import { InputError } from '../errors.js';
import type { SourceEntry } from './bundle-source.js';

/** Where one symlink leads inside the tree. */
export type SymlinkResolution =
  | { status: 'inside'; path: string }
  | { status: 'escapes' }
  | { status: 'loop' };

const MAX_HOPS = 40; // Linux's own limit (ELOOP after 40 links)

/**
 * Resolves a symlink the way the kernel would once the tree is extracted, following the other
 * symlinks of the tree on the way. A plain lexical check is not enough: with `a -> .`, the target
 * `a/..` looks harmless but leaves the root. Absolute targets always escape: in Lambda they point
 * into the host image, not into the bundle.
 */
export function resolveSymlink(linkPath: string, symlinks: ReadonlyMap<string, string>): SymlinkResolution {
  const target = symlinks.get(linkPath);
  if (target === undefined) throw new Error(`not a symlink: ${linkPath}`);
  if (target.startsWith('/')) return { status: 'escapes' };
  const resolved: string[] = linkPath.split('/').slice(0, -1);
  const queue = target.split('/');
  let hops = 1;
  while (queue.length > 0) {
    const seg = queue.shift() as string;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (resolved.length === 0) return { status: 'escapes' };
      resolved.pop();
      continue;
    }
    resolved.push(seg);
    const hop = symlinks.get(resolved.join('/'));
    if (hop === undefined) continue;
    if (++hops > MAX_HOPS) return { status: 'loop' };
    if (hop.startsWith('/')) return { status: 'escapes' };
    resolved.pop();
    queue.unshift(...hop.split('/'));
  }
  return { status: 'inside', path: resolved.join('/') };
}

/**
 * Checks a whole tree of already-normalised entries and returns them sorted by path, plus
 * warnings. Throws one InputError for: a file listed twice, an entry below a file or a symlink
 * (extracting it would write through the link), a symlink that leaves the root, a hard link to a
 * file that is not in the archive. `fromFilesystem` skips the structural checks a real folder
 * cannot fail (its directories are all listed, so no parent is implied).
 */
export function validateTree(
  container: string,
  entries: SourceEntry[],
  options: { fromFilesystem?: boolean } = {},
): { entries: SourceEntry[]; warnings: string[] } {
  if (options.fromFilesystem) return validateWalkedTree(container, entries);
  const byPath = new Map<string, SourceEntry>();
  const out: SourceEntry[] = [];
  for (const e of entries) {
    const prev = byPath.get(e.path);
    if (prev) {
      if (prev.type === 'dir' && e.type === 'dir') continue;
      throw new InputError(
        `${container}: entry "${e.path}" appears twice, so extracting it is ambiguous; re-create the archive without duplicate entries.`,
        'E_DUPLICATE_ENTRY',
      );
    }
    byPath.set(e.path, e);
    out.push(e);
  }
  const symlinks = new Map<string, string>();
  const impliedDirs = new Set<string>();
  for (const e of out) {
    if (e.type === 'symlink') symlinks.set(e.path, e.linkTarget ?? '');
    for (let i = e.path.indexOf('/'); i !== -1; i = e.path.indexOf('/', i + 1)) {
      const parentPath = e.path.slice(0, i);
      impliedDirs.add(parentPath);
      const parent = byPath.get(parentPath);
      if (parent && parent.type !== 'dir') {
        throw new InputError(
          `${container}: entry "${e.path}" lies below "${parent.path}", which is a ${parent.type === 'symlink' ? 'symlink (extracting would write through the link)' : 'file'}; re-create the archive from a real folder.`,
          'E_PATH_CONFLICT',
        );
      }
    }
    if (e.hardlinkTo !== undefined && byPath.get(e.hardlinkTo)?.type !== 'file') {
      throw new InputError(
        `${container}: hard link "${e.path}" points to "${e.hardlinkTo}", which is not an earlier file of the archive; re-create the archive without hard links.`,
        'E_CORRUPT_ARCHIVE',
      );
    }
  }
  const warnings = symlinkWarnings(container, symlinks, (p) => byPath.has(p) || impliedDirs.has(p));
  out.sort(byEntryPath);
  return { entries: out, warnings };
}

function byEntryPath(a: SourceEntry, b: SourceEntry): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * A walked folder can fail only the symlink checks: it lists no path twice, nothing lies below a
 * file and the walk never enters symlinks. Skipping the rest matters for 50,000-file trees.
 */
function validateWalkedTree(container: string, entries: SourceEntry[]): { entries: SourceEntry[]; warnings: string[] } {
  const symlinks = new Map<string, string>();
  for (const e of entries) if (e.type === 'symlink') symlinks.set(e.path, e.linkTarget ?? '');
  let paths: Set<string> | undefined;
  const warnings = symlinkWarnings(container, symlinks, (p) => (paths ??= new Set(entries.map((e) => e.path))).has(p));
  return { entries: [...entries].sort(byUniquePath), warnings };
}

// A walked folder lists each path once, so one comparison settles the order.
function byUniquePath(a: SourceEntry, b: SourceEntry): number {
  return a.path < b.path ? -1 : 1;
}

/** Throws for a symlink that leaves the root; warns about loops and dangling links. */
function symlinkWarnings(container: string, symlinks: ReadonlyMap<string, string>, exists: (path: string) => boolean): string[] {
  const warnings: string[] = [];
  for (const [path, target] of symlinks) {
    const r = resolveSymlink(path, symlinks);
    if (r.status === 'escapes') {
      throw new InputError(
        `${container}: symlink "${path}" -> "${target}" points outside the bundle, which Lambda cannot resolve and an extractor could be tricked through; replace it with the file it points to.`,
        'E_SYMLINK_ESCAPE',
      );
    }
    if (r.status === 'loop') warnings.push(`${container}: symlink "${path}" -> "${target}" is part of a loop and can never be opened.`);
    else if (r.path !== '' && !exists(r.path)) warnings.push(`${container}: symlink "${path}" -> "${target}" is dangling (its target is not in the bundle).`);
  }
  return warnings;
}
