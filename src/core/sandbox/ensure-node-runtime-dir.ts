import { createHash, randomBytes } from 'node:crypto';
import { chmod, copyFile, link, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { defaultCacheDir } from '../scan/default-cache-dir.js';
import { listPackageClosure } from './package-closure.js';

/** The package whose closure Lambda's Node runtimes provide at /var/runtime/node_modules (AWS SDK v3). */
export const RUNTIME_SDK_PACKAGE = '@aws-sdk/client-s3';

/** Options of {@link ensureNodeRuntimeDir}. */
export interface NodeRuntimeDirOptions {
  /** lambdafit's cache folder. @default defaultCacheDir() */
  cacheDir?: string;
  /** Folder of lambdafit's Node runtime files. @default <package>/sandbox/node */
  runtimeSource?: string;
  /** `node_modules` the SDK closure is taken from. @default <package>/node_modules */
  nodeModules?: string;
}

const memo = new Map<string, Promise<string>>();

/**
 * The folder the sandbox mounts at /var/runtime for Node.js functions: lambdafit's runtime
 * (bootstrap, index.mjs…) plus `node_modules` holding exactly the dependency closure of
 * `@aws-sdk/client-s3` from lambdafit's own installation, as Lambda's managed Node runtimes
 * provide the SDK there. Nothing else of lambdafit's tree is visible, so a pruned bundle cannot
 * resolve onnxruntime-node from it. Built once (hard links where the file system allows, else
 * copies) under the cache folder, keyed by the runtime files' content and the closure's versions,
 * and renamed into place atomically so concurrent runs share it. Without the SDK installed it
 * returns the plain runtime folder.
 */
export function ensureNodeRuntimeDir(options: NodeRuntimeDirOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const source = options.runtimeSource ?? join(packageRoot(), 'sandbox', 'node');
  const nodeModules = options.nodeModules ?? join(packageRoot(), 'node_modules');
  const memoKey = JSON.stringify([cacheDir, source, nodeModules]);
  let pending = memo.get(memoKey);
  if (!pending) {
    pending = build(cacheDir, source, nodeModules);
    pending.catch(() => memo.delete(memoKey));
    memo.set(memoKey, pending);
  }
  return pending;
}

async function build(cacheDir: string, source: string, nodeModules: string): Promise<string> {
  let closure;
  try {
    closure = listPackageClosure(nodeModules, RUNTIME_SDK_PACKAGE);
  } catch {
    return source;
  }
  const runtimeFiles = (await readdir(source, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  const hash = createHash('sha256');
  for (const name of runtimeFiles) hash.update(name).update('\0').update(await readFile(join(source, name))).update('\0');
  for (const p of closure) hash.update(`${p.path}@${p.version}\n`);
  const dest = join(cacheDir, 'runtime', `node-${hash.digest('hex').slice(0, 16)}`);
  if (await lstat(dest).catch(() => undefined)) return dest;
  const tmp = `${dest}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(tmp, { recursive: true, mode: 0o755 });
    // Copies, not links: an edit to the runtime in place must not change a folder keyed by the old content.
    for (const name of runtimeFiles) {
      await copyFile(join(source, name), join(tmp, name));
      await chmod(join(tmp, name), (await lstat(join(source, name))).mode & 0o777);
    }
    for (const p of closure) await mirror(join(nodeModules, p.path), join(tmp, 'node_modules', p.path));
    await chmod(tmp, 0o755);
    await rename(tmp, dest).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST' && err.code !== 'ENOTEMPTY') throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return dest;
}

/** Mirrors one package folder, without its nested node_modules (those are closure entries of their own). */
async function mirror(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o755 });
  for (const e of await readdir(from, { withFileTypes: true })) {
    if (e.name === 'node_modules') continue;
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isDirectory()) await mirror(src, dst);
    else if (e.isSymbolicLink()) await symlink(await readlink(src), dst);
    else if (e.isFile()) await link(src, dst).catch(() => copyFile(src, dst));
  }
}
