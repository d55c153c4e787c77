import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The lambdafit installation folder (where `rules/`, `sandbox/` and `package.json` live). Found by
 * walking up from this module, because the code runs both bundled (`dist/cli.js`) and from
 * sources (`src/…` under vitest), at different depths.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (pkg.name === 'lambdafit') return (cached = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('lambdafit package root not found');
    dir = parent;
  }
}

/** lambdafit's own version, from its package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
