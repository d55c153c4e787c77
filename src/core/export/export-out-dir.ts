import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** A private build folder next to `--out`, swapped into place when the export succeeded. */
export interface ExportOutDir {
  /** The final folder. */
  readonly out: string;
  /** Where the artifacts are written (becomes `out`). */
  readonly stagingDir: string;
  /** Scratch space on the same filesystem (materialized plan, extractions); never published. */
  readonly workDir: string;
  /** Moves `stagingDir` into place (replacing `out` with `force`) and removes the rest. */
  commit(): Promise<void>;
  /** Removes everything this export created; `out` stays as it was. */
  discard(): Promise<void>;
}

const PREFIX = (name: string) => `.${name}.lambdafit-export-`;

/**
 * Prepares an atomic export into `out`: refuses an existing `out` without `force` (UsageError,
 * exit 2), removes what killed exports left next to it (their temp folders, and puts back an
 * `out` a killed `--force` swap had moved aside), and creates `.<name>.lambdafit-export-<pid>-<hex>`
 * beside it, on the same filesystem, so publishing is a rename. A kill at any point before
 * `commit` leaves `out` untouched.
 */
export async function prepareExportOutDir(outPath: string, options: { force?: boolean } = {}): Promise<ExportOutDir> {
  const out = resolve(outPath);
  const parent = dirname(out);
  const name = basename(out);
  await mkdir(parent, { recursive: true });
  await recoverStale(parent, name, out);
  const st = await stat(out).catch(() => undefined);
  if (st && !options.force) {
    throw new UsageError(`${out} already exists; pass --force to replace it (atomically), or choose another --out.`, 'E_OUT_EXISTS');
  }
  if (st && !st.isDirectory()) throw new UsageError(`${out} exists and is not a folder; choose another --out.`, 'E_OUT_EXISTS');
  const root = join(parent, `${PREFIX(name)}${process.pid}-${randomBytes(4).toString('hex')}`);
  const stagingDir = join(root, 'out');
  const workDir = join(root, 'work');
  await mkdir(stagingDir, { recursive: true, mode: 0o755 });
  await mkdir(workDir, { recursive: true });
  return {
    out,
    stagingDir,
    workDir,
    async commit() {
      const aside = join(root, 'previous');
      const existed = (await stat(out).catch(() => undefined)) !== undefined;
      // Linux has no portable rename-exchange from Node: the previous folder is moved aside first,
      // and a kill between the two renames is repaired by the next run (recoverStale).
      if (existed) await rename(out, aside);
      await rename(stagingDir, out);
      await rm(root, { recursive: true, force: true });
    },
    async discard() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Cleans up after exports of `name` whose process is gone. */
async function recoverStale(parent: string, name: string, out: string): Promise<void> {
  const entries = await readdir(parent).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!entry.startsWith(PREFIX(name))) continue;
    const pid = Number(entry.slice(PREFIX(name).length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) continue;
    const root = join(parent, entry);
    const aside = join(root, 'previous');
    if ((await stat(out).catch(() => undefined)) === undefined && (await stat(aside).catch(() => undefined))?.isDirectory()) {
      await rename(aside, out);
    }
    await rm(root, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
