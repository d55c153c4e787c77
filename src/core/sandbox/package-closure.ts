import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** One installed package of a dependency closure. */
export interface ClosurePackage {
  /** Package name, e.g. `@smithy/core`. */
  name: string;
  version: string;
  /** Installed folder relative to the root `node_modules` (e.g. `@smithy/core`, `a/node_modules/b`). */
  path: string;
}

/** Resolves a package name the way Node does from inside `fromDir`: the nearest `node_modules/<name>` up the tree. */
function locate(name: string, fromDir: string, stopAt: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === stopAt || dirname(dir) === dir) return undefined;
  }
}

/**
 * The installed packages a package needs at run time: itself plus, transitively, its
 * `dependencies` and installed `optionalDependencies`, each located as Node's resolver would find
 * it from the requiring package's folder (nested copies included). Sorted by path. Throws when
 * the root package or a required dependency is not installed under `nodeModulesRoot`.
 */
export function listPackageClosure(nodeModulesRoot: string, rootPackage: string): ClosurePackage[] {
  const base = dirname(nodeModulesRoot);
  const seen = new Map<string, ClosurePackage>();
  const visit = (dir: string) => {
    const path = relative(nodeModulesRoot, dir).split(sep).join('/');
    if (seen.has(path)) return;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    seen.set(path, { name: manifest.name, version: manifest.version, path });
    const optional = new Set(Object.keys(manifest.optionalDependencies ?? {}));
    for (const dep of new Set([...Object.keys(manifest.dependencies ?? {}), ...optional])) {
      const found = locate(dep, dir, base);
      if (found) visit(found);
      else if (!optional.has(dep)) throw new Error(`${manifest.name} needs ${dep}, which is not installed under ${nodeModulesRoot}`);
    }
  };
  const root = locate(rootPackage, base, base);
  if (!root) throw new Error(`${rootPackage} is not installed under ${nodeModulesRoot}`);
  visit(root);
  return [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
