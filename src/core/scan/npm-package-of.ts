/**
 * The npm package that owns a path: the name after the last `node_modules/` segment
 * (`node_modules/a/node_modules/b/x.js` → `b`, `node_modules/@s/p/x.js` → `@s/p`). Entries that
 * belong to no package (`node_modules/.bin/*`, `node_modules/.package-lock.json`, pnpm's
 * `.pnpm/` store folders themselves) give undefined. Pure.
 */
export function npmPackageOf(path: string): string | undefined {
  const seg = path.split('/');
  for (let j = seg.length - 2; j >= 0; j--) {
    if (seg[j] !== 'node_modules') continue;
    const name = seg[j + 1] as string;
    if (name.startsWith('.')) return undefined;
    if (name.startsWith('@')) return j + 3 < seg.length ? `${name}/${seg[j + 2]}` : undefined;
    return j + 2 < seg.length ? name : undefined;
  }
  return undefined;
}
