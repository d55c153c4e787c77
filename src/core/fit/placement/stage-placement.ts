import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, readFile, readlink, rename, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeZip } from '../../archive/write-zip.js';
import type { OperationOptions } from '../../progress.js';
import type { PlacementStep } from '../../plan/fit-plan.js';

/** Bundle path → host file holding the bytes it ships with (the baseline copy, or a quantized model). */
export type ShippedContent = (bundlePath: string) => string;

/** What a sandbox run of a placement needs on disk. */
export interface StagedPlacement {
  /** Bundle path → host file of each generated loader, for `StagedState.added`. */
  added: Map<string, string>;
  /** Object key → host file with its bytes, for `servePlanObjects`. */
  objects: Map<string, string>;
  /** Host folders of the planned layers, in order, for `fn.layers`. */
  layerDirs: string[];
}

/**
 * Writes the deterministic zip of dependency files that the deps-to-tmp placement uploads
 * (`writeZip` with each file's mode, paths relative to the bundle root) and returns its size and
 * sha256; `export` writes the same bytes from the same files.
 */
export async function writeDependencyZip(
  files: readonly { path: string; bytes: number; mode: number; symlinkTarget?: string }[],
  contentOf: ShippedContent,
  outPath: string,
  options: OperationOptions = {},
): Promise<{ bytes: number; hash: string }> {
  await mkdir(dirname(outPath), { recursive: true });
  const written = await writeZip(
    files.map((f) =>
      f.symlinkTarget !== undefined
        ? { path: f.path, type: 'symlink' as const, mode: 0o777, size: 0, linkTarget: f.symlinkTarget }
        : { path: f.path, type: 'file' as const, mode: f.mode, size: f.bytes, readAll: () => readFile(contentOf(f.path)), chunks: () => createReadStream(contentOf(f.path)) },
    ),
    outPath,
    // The fixed 1980 timestamp whatever SOURCE_DATE_EPOCH says: the plan pins the object's hash.
    { env: {}, ...(options.signal ? { signal: options.signal } : {}) },
  );
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(outPath)) hash.update(chunk as Buffer);
  return { bytes: written.bytes, hash: hash.digest('hex') };
}

/**
 * Puts a placement step's pieces on disk under `workDir` for a sandbox run: each generated loader
 * as a world-readable file (the function runs as another user), each planned layer as a folder of
 * hard links in the /opt layout, and each `file` object mapped to the file holding its bytes.
 * `zip` objects must already exist at `zipFiles[key]` (`writeDependencyZip`).
 */
export async function stagePlacement(step: PlacementStep, workDir: string, contentOf: ShippedContent, zipFiles: ReadonlyMap<string, string> = new Map()): Promise<StagedPlacement> {
  const staged: StagedPlacement = { added: new Map(), objects: new Map(), layerDirs: [] };
  for (const a of step.added) {
    const file = join(workDir, 'loaders', a.hash.slice(0, 16), a.path.split('/').pop()!);
    await mkdir(dirname(file), { recursive: true, mode: 0o755 });
    await writeFile(file, a.content);
    await chmod(file, 0o644);
    staged.added.set(a.path, file);
  }
  for (const o of step.objects) {
    const file = o.format === 'file' ? contentOf(o.from[0]!) : zipFiles.get(o.key);
    if (!file) throw new Error(`stagePlacement: no zip written for object ${o.key}`);
    staged.objects.set(o.key, file);
  }
  for (const layer of step.layers) {
    const dir = join(workDir, 'layers', `${layer.name}-${createHash('sha256').update(JSON.stringify(layer.files)).digest('hex').slice(0, 12)}`);
    if (!(await lstat(dir).catch(() => undefined))) {
      const tmp = `${dir}.tmp`;
      await mkdir(tmp, { recursive: true, mode: 0o755 });
      for (const f of layer.files) {
        const out = join(tmp, f.to);
        await mkdir(dirname(out), { recursive: true, mode: 0o755 });
        const src = contentOf(f.from);
        const st = await lstat(src);
        if (st.isSymbolicLink()) await symlink(await readlink(src), out);
        else await link(src, out).catch(() => copyFile(src, out));
      }
      await rename(tmp, dir);
    }
    staged.layerDirs.push(dir);
  }
  return staged;
}
