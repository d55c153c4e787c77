/**
 * True when a bundle holds a Python dependency tree: a `site-packages` folder, `*.dist-info` /
 * `*.egg-info` metadata, or Python sources at the root as a Lambda Python package lays them out.
 */
export function isPythonTree(paths: readonly string[]): boolean {
  return paths.some((p) => /(^|\/)site-packages\//.test(p) || /(^|\/)[^/]+\.(dist-info|egg-info)\//.test(p) || /^[^/]+\.py$/.test(p));
}
