import { randomBytes } from 'node:crypto';
import { link, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { materializeBundle } from '../archive/materialize-bundle.js';
import { openBundleSource } from '../archive/open-bundle-source.js';
import type { OperationOptions } from '../progress.js';
import type { FileEntry } from '../scan/bundle-index.js';

/** A bundle state to build: the baseline minus removed files, with some files replaced. */
export interface StagedState {
  /** Bundle paths left out. */
  removed: ReadonlySet<string>;
  /** Bundle path → absolute path of the file that takes its place (e.g. a quantized model). */
  replaced: ReadonlyMap<string, string>;
  /** Files that are not part of the bundle, linked in at a bundle path (e.g. the trace hook). */
  added?: ReadonlyMap<string, string>;
}

/** The fit loop's private copy of the input and the views built from it. */
export interface StagingArea {
  /** The real copy of the unmodified input. Never written after creation. */
  readonly baselineDir: string;
  /** Folder for files the loop produces (quantized models); they are linked into views. */
  readonly workDir: string;
  /** Builds a state as a hard-link farm of the baseline and returns its folder. */
  buildView(state: StagedState): Promise<string>;
  /** Removes one view (only links: the baseline is untouched). */
  removeView(dir: string): Promise<void>;
  /** Removes everything. */
  dispose(): Promise<void>;
}

/**
 * Materialises the input once (a real copy of a folder, an extraction of a .zip or .tar.gz) into
 * a staging folder, then builds each candidate state as hard links into it: thousands of files
 * in a fraction of a second and no extra disk. Hard links share inodes, so nothing ever writes,
 * chmods or renames through a view; the sandbox mounts views read-only.
 */
export async function createStagingArea(inputPath: string, files: readonly Pick<FileEntry, 'path' | 'symlinkTarget'>[], emptyDirectories: readonly string[], options: OperationOptions = {}): Promise<StagingArea> {
  const root = await mkdtemp(join(tmpdir(), 'lambdafit-fit-'));
  const baselineDir = join(root, 'baseline');
  const workDir = join(root, 'work');
  try {
    await mkdir(workDir);
    const source = await openBundleSource(inputPath);
    try {
      options.onProgress?.({ type: 'phase', phase: 'stage', message: `Copying ${inputPath} into a staging folder…` });
      await materializeBundle(source, baselineDir, { signal: options.signal });
    } finally {
      await source.close();
    }
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
  const views = new Set<string>();
  return {
    baselineDir,
    workDir,
    async buildView(state) {
      const dir = join(root, `view-${randomBytes(4).toString('hex')}`);
      views.add(dir);
      await mkdir(dir, { mode: 0o755 });
      const made = new Set<string>(['.']);
      const ensure = async (d: string) => {
        if (made.has(d)) return;
        await mkdir(join(dir, d), { recursive: true, mode: 0o755 });
        for (let p = d; p !== '.' && !made.has(p); p = dirname(p)) made.add(p);
      };
      for (const d of emptyDirectories) await ensure(d);
      for (const f of files) {
        if (state.removed.has(f.path)) continue;
        await ensure(dirname(f.path));
        const out = join(dir, f.path);
        if (f.symlinkTarget !== undefined) await symlink(f.symlinkTarget, out);
        else await link(state.replaced.get(f.path) ?? join(baselineDir, f.path), out);
      }
      for (const [path, from] of state.added ?? []) {
        await ensure(dirname(path));
        await link(from, join(dir, path));
      }
      return dir;
    },
    async removeView(dir) {
      views.delete(dir);
      await rm(dir, { recursive: true, force: true });
    },
    async dispose() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
