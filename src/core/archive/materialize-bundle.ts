import { createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { InputError } from '../errors.js';
import type { OperationOptions } from '../progress.js';
import type { BundleSource, SourceEntry } from './bundle-source.js';

/** Options of `materializeBundle`. */
export interface MaterializeOptions extends OperationOptions {
  /** Keeps only the entries it returns true for (directories are created as their files need them). */
  filter?: (entry: SourceEntry) => boolean;
  /** Files written at once. Default 8. */
  concurrency?: number;
}

/** What `materializeBundle` wrote. */
export interface MaterializeResult {
  /** The folder that now holds the bundle. */
  path: string;
  files: number;
  directories: number;
  symlinks: number;
  /** Bytes of regular files written. */
  bytes: number;
}

const SMALL = 1024 * 1024;

/**
 * Writes a bundle source out as a real folder (the staging area of the sandbox and the fit loop):
 * archives are extracted, folders copied (real copies, never hard links), with permission bits
 * (without setuid/setgid/sticky) and symlinks kept as they are. Every entry is validated before
 * anything is written, and the tree is built in a hidden sibling folder that is renamed into
 * place at the end, so a failure or cancellation leaves `destDir` untouched. `destDir` must not
 * exist or be an empty folder.
 */
export async function materializeBundle(source: BundleSource, destDir: string, options: MaterializeOptions = {}): Promise<MaterializeResult> {
  const dest = resolve(destDir);
  const existing = await readdir(dest).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new InputError(`${dest}: cannot use it as the destination (${err.code}); pass a new folder path.`, 'E_DEST_UNUSABLE', { cause: err });
  });
  if (existing.length > 0) throw new InputError(`${dest}: the destination folder is not empty; pass a new or empty folder so nothing is overwritten.`, 'E_DEST_NOT_EMPTY');

  const keep = options.filter ?? (() => true);
  // Listing first validates the whole source (for a tar.gz, one extra pass) before any write.
  const all = await source.entries({ signal: options.signal });
  const byPath = new Map(all.map((e) => [e.path, e]));
  const kept = new Set(all.filter(keep).map((e) => e.path));
  const scratch = new Set<string>();
  for (const p of kept) {
    const target = byPath.get(p)?.hardlinkTo;
    if (target !== undefined && !kept.has(target)) scratch.add(target); // written only to copy from, then removed
  }

  await mkdir(dirname(dest), { recursive: true });
  const staging = join(dirname(dest), `.${basename(dest)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { mode: 0o700 });
  const result: MaterializeResult = { path: dest, files: 0, directories: 0, symlinks: 0, bytes: 0 };
  const dirModes = new Map<string, number>();
  const made = new Set<string>(['']);
  const ensureDir = async (rel: string): Promise<void> => {
    if (made.has(rel)) return;
    await mkdir(join(staging, rel), { recursive: true, mode: 0o700 });
    for (let p = rel; p !== '' && !made.has(p); p = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '') made.add(p);
  };
  const parentOf = (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

  try {
    await source.visit(
      async (entry, content) => {
        const wanted = kept.has(entry.path);
        if (!wanted && !scratch.has(entry.path)) return;
        const out = join(staging, entry.path);
        if (entry.type === 'dir') {
          await ensureDir(entry.path);
          dirModes.set(entry.path, entry.mode);
          return;
        }
        await ensureDir(parentOf(entry.path));
        if (entry.type === 'symlink') {
          await symlink(entry.linkTarget ?? '', out);
          result.symlinks++;
          return;
        }
        if (entry.hardlinkTo !== undefined) await copyFile(join(staging, entry.hardlinkTo), out);
        else if (content?.localPath) await copyFile(content.localPath, out);
        else if (content && entry.size <= SMALL) await writeFile(out, await content.readAll(), { mode: 0o600 });
        else if (content) await pipeline(Readable.from(content.chunks()), createWriteStream(out, { mode: 0o600 }));
        await chmod(out, entry.mode & 0o777);
        if (wanted) {
          result.files++;
          result.bytes += entry.size;
        }
      },
      { concurrency: options.concurrency ?? 8, signal: options.signal },
    );
    for (const p of scratch) await unlink(join(staging, p));
    // Directory modes last, deepest first, so a read-only directory does not block its own files.
    const dirs = [...made].filter((d) => d !== '').sort((a, b) => b.length - a.length);
    for (const d of dirs) await chmod(join(staging, d), (dirModes.get(d) ?? 0o755) & 0o777);
    result.directories = dirs.length;
    await chmod(staging, 0o755);
    await rename(staging, dest);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  return result;
}
